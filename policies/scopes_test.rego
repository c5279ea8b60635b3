package agentgw_test

test_scope_beyond_ceiling_is_denied if {
	request := with_agent(token_request("gmail", ["gmail:send"], "send the weekly report"), {"scopes": ["gmail:read"]})
	denied_with(request, "scope gmail:send is beyond this agent's ceiling")
}

test_held_scopes_beyond_a_lowered_ceiling_are_denied_at_call if {
	request := with_agent(tool_call("serpapi", "search", ["serpapi:search"], null), {"scopes": ["openai:chat"]})
	denied_with(request, "scope serpapi:search is beyond this agent's ceiling")
}

test_scope_of_another_tool_is_denied if {
	denied_with(token_request("openai", ["gmail:read"], null), "scope gmail:read does not belong to tool openai")
}

test_role_denied_scope if {
	request := with_agent(token_request("gmail", ["gmail:send"], "send the weekly report"), {"metadata": {"role": "readonly"}})
	denied_with(request, "role readonly may not hold scope gmail:send")
}

test_sensitive_scope_without_intent_is_denied if {
	denied_with(
		token_request("gmail", ["gmail:send"], null),
		"scope gmail:send is sensitive: state an intent of at least 10 characters",
	)
}

test_sensitive_scope_with_blank_intent_is_denied if {
	denied_with(
		token_request("gmail", ["gmail:send"], "   send    "),
		"scope gmail:send is sensitive: state an intent of at least 10 characters",
	)
}

test_sensitive_scope_with_intent_is_allowed if {
	allowed(token_request("gmail", ["gmail:send"], "send the weekly report to the team"))
}

test_ordinary_scope_needs_no_intent if {
	allowed(token_request("gmail", ["gmail:read"], null))
}
