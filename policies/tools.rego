# Tool and action allow-lists
#
# Only the tools listed in data.settings.tools are usable, and of each only
# the listed actions. A role (or agent) profile with a `tools` list narrows
# the tools further.
package agentgw

enabled_tools := object.get(settings, "tools", {})

deny contains msg if {
	is_string(input.tool)
	not enabled_tools[input.tool]
	msg := sprintf("tool %s is not enabled by the policy", [input.tool])
}

deny contains msg if {
	is_string(input.action)
	actions := object.get(enabled_tools[input.tool], "actions", [])
	not input.action in actions
	msg := sprintf("action %s of tool %s is not on the policy's allow-list", [input.action, input.tool])
}

deny contains msg if {
	some label, profile in profiles
	tools := profile.tools
	not input.tool in tools
	msg := sprintf("%s may not use tool %s", [label, input.tool])
}
