# The example MCP server "repo" (tool mcp.repo, a code repository)
#
# read_file is free to use (data.settings.tools lists it); create_issue only
# with a stated intent (data.settings.min_intent_length characters or more);
# delete_repo never, whatever the allow-list says. Without the intent,
# create_issue is not even listed to the agent (phase "list").
# read_file results lose any `token` member of their structured content.
#
# Prompts and resources are actions too: "prompt:<name>" and "resource:<uri>"
# (the allow-list takes "prompt:*" and "resource:repo://*"). Whatever lies
# under repo://secrets/ and the dump_credentials prompt are never listed, read
# or completed, whatever URI or name an agent guesses.
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

deny contains "resources under repo://secrets/ are never shown to agents" if {
	input.tool == "mcp.repo"
	startswith(input.action, "resource:repo://secrets/")
}

deny contains "the dump_credentials prompt is never shown to agents" if {
	input.tool == "mcp.repo"
	input.action == "prompt:dump_credentials"
}
