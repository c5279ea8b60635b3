# Scope ceilings, per-profile scope denials and intent for sensitive scopes
#
# Scopes asked for (token phase) or held (call phase) must stay within the
# agent record's ceiling (agent.scopes) and belong to the tool. A profile may
# deny scopes outright. Scopes listed in data.settings.sensitive_scopes need
# a stated intent of at least data.settings.min_intent_length characters.
package agentgw

# The agent's ceiling; none reads as empty, so every scope is beyond it.
agent_scopes := scopes if {
	scopes := input.agent.scopes
	is_array(scopes)
} else := []

sensitive_scopes := object.get(settings, "sensitive_scopes", [])

deny contains msg if {
	some scope in input.scopes
	not scope in agent_scopes
	msg := sprintf("scope %s is beyond this agent's ceiling", [scope])
}

deny contains msg if {
	some scope in input.scopes
	not startswith(scope, concat("", [input.tool, ":"]))
	msg := sprintf("scope %s does not belong to tool %s", [scope, input.tool])
}

deny contains msg if {
	some label, profile in profiles
	some scope in input.scopes
	scope in profile.denied_scopes
	msg := sprintf("%s may not hold scope %s", [label, scope])
}

deny contains msg if {
	input.phase == "token"
	some scope in input.scopes
	scope in sensitive_scopes
	not intent_stated
	msg := sprintf(
		"scope %s is sensitive: state an intent of at least %d characters",
		[scope, min_intent_length],
	)
}

min_intent_length := object.get(settings, "min_intent_length", 1)

intent_stated if {
	is_string(input.intent)
	count(trim_space(input.intent)) >= min_intent_length
}
