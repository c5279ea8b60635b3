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

test_resources_and_prompts_are_listed_and_read_by_their_action if {
	allowed(object.union(repo_call("resource:repo://files/README.md", {"kind": "resource", "name": "repo://files/README.md"}), {"phase": "list"}))
	allowed(object.union(repo_call("resource:repo://files/{path}", {"kind": "resource", "name": "repo://files/{path}"}), {"phase": "list"}))
	allowed(repo_call("resource:repo://files/src/main.ts", {"uri": "repo://files/src/main.ts"}))
	allowed(object.union(repo_call("prompt:summarize_file", {"kind": "prompt", "name": "summarize_file"}), {"phase": "list"}))
	allowed(repo_call("prompt:summarize_file", {"path": "README.md"}))
}

test_secrets_are_neither_listed_nor_read if {
	denied_with(object.union(repo_call("resource:repo://secrets/deploy-key", {"kind": "resource", "name": "repo://secrets/deploy-key"}), {"phase": "list"}), "resources under repo://secrets/ are never shown to agents")
	denied_with(repo_call("resource:repo://secrets/deploy-key", {"uri": "repo://secrets/deploy-key"}), "resources under repo://secrets/ are never shown to agents")
	denied_with(repo_call("resource:repo://secrets/other", {"uri": "repo://secrets/other"}), "resources under repo://secrets/ are never shown to agents")
}

test_dump_credentials_is_neither_listed_nor_got if {
	denied_with(object.union(repo_call("prompt:dump_credentials", {"kind": "prompt", "name": "dump_credentials"}), {"phase": "list"}), "the dump_credentials prompt is never shown to agents")
	denied_with(repo_call("prompt:dump_credentials", {}), "the dump_credentials prompt is never shown to agents")
}

test_resources_of_other_servers_are_not_on_the_allow_list if {
	denied_with(repo_call("resource:file:///etc/passwd", {"uri": "file:///etc/passwd"}), "action resource:file:///etc/passwd of tool mcp.repo is not on the policy's allow-list")
}
