# METADATA
# title: Agent Gateway decision
# description: >-
#   The one entrypoint the gateway evaluates (agentgw/decision). Each topic file
#   adds `deny contains msg` rules (a human-readable reason per refusal) and
#   `obligation[name] := value` rules; this file only assembles them. A request
#   is allowed when no rule denies it. Topic files may also add
#   `needs_approval contains msg` rules: a request no rule denies but one of
#   those names is "allowed once a person approves" (the gateway holds it as a
#   pending approval; once approved, that exact request goes through once).
package agentgw

decision := {
	"allow": false,
	"reasons": sort(needs_approval),
	"obligations": obligation,
	"approval": {"reason": concat("; ", sort(needs_approval))},
} if {
	count(deny) == 0
	count(needs_approval) > 0
} else := {
	"allow": count(deny) == 0,
	"reasons": sort(deny),
	"obligations": obligation,
}

# Each check is a named rule so that `not` sees a missing input member as
# false. (`not is_object(input.agent)` would itself be undefined, and allow.)
deny contains "the policy input has no valid phase (token, call or list)" if not valid_phase

deny contains "the policy input has no agent" if not has_agent

deny contains "the policy input names no tool" if not has_tool

# "list": may the agent see an MCP tool, resource or prompt in a list (input.action is its name).
valid_phase if input.phase in {"token", "call", "list"}

has_agent if is_object(input.agent)

has_tool if is_string(input.tool)
