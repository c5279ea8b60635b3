package agentgw_test

test_ordinary_token_request_is_allowed if {
	allowed(token_request("openai", ["openai:chat"], null))
}

test_ordinary_call_is_allowed if {
	allowed(tool_call("openai", "chat.completions.create", ["openai:chat"], {"model": "gpt-4o-mini", "messages": []}))
}

test_decision_has_the_contract_shape if {
	decision := decision_for(token_request("openai", ["openai:chat"], null))
	is_boolean(decision.allow)
	is_array(decision.reasons)
	is_object(decision.obligations)
}

test_unknown_phase_is_denied if {
	request := object.union(token_request("openai", ["openai:chat"], null), {"phase": "later"})
	denied_with(request, "the policy input has no valid phase (token, call or list)")
}

test_missing_agent_is_denied if {
	request := object.remove(token_request("openai", ["openai:chat"], null), ["agent"])
	denied_with(request, "the policy input has no agent")
}

test_every_deny_has_a_reason if {
	decision := decision_for(token_request("ftp", ["ftp:get"], null))
	decision.allow == false
	count(decision.reasons) > 0
}

test_missing_phase_is_denied if {
	request := object.remove(token_request("openai", ["openai:chat"], null), ["phase"])
	denied_with(request, "the policy input has no valid phase (token, call or list)")
}

test_missing_settings_fail_closed if {
	# Without data.settings no tool is enabled and every scope is beyond reach.
	denied_with(token_request("openai", ["openai:chat"], null), "tool openai is not enabled by the policy") with data.settings as null
}

test_agent_without_a_ceiling_gets_no_scope if {
	request := with_agent(token_request("openai", ["openai:chat"], null), {"scopes": null})
	denied_with(request, "scope openai:chat is beyond this agent's ceiling")
}
