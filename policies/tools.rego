# Tool and action allow-lists
#
# Only the tools listed in data.settings.tools are usable, and of each only
# the listed actions (an entry ending in "*" lists every action it prefixes). A role (or agent) profile with a `tools` list narrows
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
	not action_listed
	msg := sprintf("action %s of tool %s is not on the policy's allow-list", [input.action, input.tool])
}

action_listed if input.action in object.get(enabled_tools[input.tool], "actions", [])

# An entry ending in "*" lists every action that starts with the text before
# it, e.g. "resource:repo://files/*" for an MCP server's resources.
action_listed if {
	some listed in object.get(enabled_tools[input.tool], "actions", [])
	endswith(listed, "*")
	startswith(input.action, trim_suffix(listed, "*"))
}

deny contains msg if {
	some label, profile in profiles
	tools := profile.tools
	not input.tool in tools
	msg := sprintf("%s may not use tool %s", [label, input.tool])
}
