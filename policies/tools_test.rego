package agentgw_test

test_unknown_tool_is_denied if {
	denied_with(token_request("ftp", [], null), "tool ftp is not enabled by the policy")
}

test_action_off_the_allow_list_is_denied if {
	request := tool_call("gmail", "messages.delete", ["gmail:read"], null)
	denied_with(request, "action messages.delete of tool gmail is not on the policy's allow-list")
}

test_listed_action_is_allowed if {
	allowed(tool_call("serpapi", "search", ["serpapi:search"], null))
}

test_role_limits_tools if {
	request := with_agent(token_request("serpapi", ["serpapi:search"], null), {"metadata": {"role": "mailer"}})
	denied_with(request, "role mailer may not use tool serpapi")
}

test_role_allows_its_tools if {
	allowed(with_agent(token_request("openai", ["openai:chat"], null), {"metadata": {"role": "mailer"}}))
}

test_unknown_role_is_denied if {
	request := with_agent(token_request("openai", ["openai:chat"], null), {"metadata": {"role": "wizard"}})
	denied_with(request, "agent role wizard is not defined in the policy settings")
}

test_agent_profile_narrows_its_role if {
	request := with_agent(token_request("http", ["http:fetch"], null), {"metadata": {"role": "assistant"}})
	allowed(request)
	denied_with(request, "agent agt_test may not use tool http") with data.settings.agents as {"agt_test": {"tools": ["openai"]}}
}

test_an_allow_list_entry_ending_in_star_lists_what_it_prefixes if {
	tools := {"mcp.x": {"actions": ["resource:x://docs/*"]}}
	request := with_agent(tool_call("mcp.x", "resource:x://docs/a.md", ["mcp.x:use"], {}), {"scopes": ["mcp.x:use"]})
	allowed(request) with data.settings.tools as tools
	other := with_agent(tool_call("mcp.x", "resource:x://secret", ["mcp.x:use"], {}), {"scopes": ["mcp.x:use"]})
	denied_with(other, "action resource:x://secret of tool mcp.x is not on the policy's allow-list") with data.settings.tools as tools
}
