# METADATA
# title: Agent Gateway decision
# description: >-
#   The one entrypoint the gateway evaluates (agentgw/decision). Each topic file
#   adds `deny contains msg` rules (a human-readable reason per refusal) and
#   `obligation[name] := value` rules; this file only assembles them. A request
#   is allowed when no rule denies it.
package agentgw

decision := {
	"allow": count(deny) == 0,
	"reasons": sort(deny),
	"obligations": obligation,
}

deny contains msg if {
	not input.phase in {"token", "call"}
	msg := "the policy input has no valid phase (token or call)"
}

deny contains "the policy input has no agent" if not is_object(input.agent)

deny contains "the policy input names no tool" if not is_string(input.tool)
