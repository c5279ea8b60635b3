package agentgw_test

test_default_ttl_obligation if {
	decision_for(token_request("openai", ["openai:chat"], null)).obligations == {"max_ttl_seconds": 300}
}

test_tool_ttl_obligation if {
	decision_for(token_request("gmail", ["gmail:read"], null)).obligations.max_ttl_seconds == 120
}

test_role_ttl_obligation if {
	request := with_agent(token_request("openai", ["openai:chat"], null), {"metadata": {"role": "mailer"}})
	decision_for(request).obligations.max_ttl_seconds == 60
}

test_least_of_role_and_agent_ttl_wins if {
	request := with_agent(token_request("openai", ["openai:chat"], null), {"metadata": {"role": "mailer"}})
	decision := decision_for(request) with data.settings.agents as {"agt_test": {"max_ttl_seconds": 30}}
	decision.obligations.max_ttl_seconds == 30
}
