# The example MCP server "repo" (tool mcp.repo, a code repository)
#
# read_file is free to use (data.settings.tools lists it); create_issue only
# with a stated intent (data.settings.min_intent_length characters or more);
# delete_repo never, whatever the allow-list says. Without the intent,
# create_issue is not even listed to the agent (phase "list").
# read_file results lose any `token` member of their structured content.
package agentgw

deny contains "delete_repo is never allowed through the gateway" if {
	input.tool == "mcp.repo"
	input.action == "delete_repo"
}

deny contains msg if {
	input.tool == "mcp.repo"
	input.action == "create_issue"
	input.phase in {"call", "list"}
	not intent_stated
	msg := sprintf("create_issue needs a stated intent of at least %d characters", [min_intent_length])
}

obligation[name] := value if {
	name := "redact"
	input.tool == "mcp.repo"
	input.action == "read_file"
	input.phase == "call"
	value := ["/structuredContent/token"]
}
