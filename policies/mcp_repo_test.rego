package agentgw_test

repo_agent := {"scopes": ["mcp.repo:use"]}

repo_call(action, args) := with_agent(tool_call("mcp.repo", action, ["mcp.repo:use"], args), repo_agent)

test_read_file_is_allowed_and_redacts_tokens if {
	request := repo_call("read_file", {"path": "README.md"})
	allowed(request)
	decision_for(request).obligations.redact == ["/structuredContent/token"]
}

test_create_issue_needs_an_intent if {
	denied_with(repo_call("create_issue", {"title": "x"}), "create_issue needs a stated intent of at least 10 characters")
	allowed(object.union(repo_call("create_issue", {"title": "x"}), {"intent": "report the failing build"}))
}

test_delete_repo_is_never_allowed if {
	denied_with(repo_call("delete_repo", {}), "delete_repo is never allowed through the gateway")
	denied_with(object.union(repo_call("delete_repo", {}), {"intent": "clean up an old repository"}), "delete_repo is never allowed through the gateway")
}

test_list_phase_hides_what_calls_may_not_do if {
	allowed(object.union(repo_call("read_file", {"kind": "tool", "name": "read_file"}), {"phase": "list"}))
	denied_with(object.union(repo_call("create_issue", {}), {"phase": "list"}), "create_issue needs a stated intent of at least 10 characters")
	denied_with(object.union(repo_call("delete_repo", {}), {"phase": "list"}), "delete_repo is never allowed through the gateway")
}

test_an_unlisted_mcp_server_is_not_enabled if {
	denied_with(with_agent(tool_call("mcp.other", "x", ["mcp.other:use"], {}), {"scopes": ["mcp.other:use"]}), "tool mcp.other is not enabled by the policy")
}
