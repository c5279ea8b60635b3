package agentgw_test

chat(body) := tool_call("openai", "chat.completions.create", ["openai:chat"], body)

test_allowed_model_passes if {
	allowed(chat({"model": "gpt-4o-mini", "max_tokens": 256}))
}

test_model_off_the_tier_list_is_denied if {
	denied_with(chat({"model": "gpt-4o"}), "model gpt-4o is not allowed for tier default")
}

test_premium_tier_has_more_models if {
	allowed(with_agent(chat({"model": "gpt-4o", "max_tokens": 10000}), {"tier": "premium"}))
}

test_unknown_tier_uses_default if {
	denied_with(with_agent(chat({"model": "gpt-4o"}), {"tier": "gold"}), "model gpt-4o is not allowed for tier default")
}

test_max_tokens_above_the_cap_is_denied if {
	denied_with(
		chat({"model": "gpt-4o-mini", "max_tokens": 5000}),
		"max_tokens must be a number no greater than 4096 for tier default",
	)
}

test_every_output_token_field_is_capped if {
	denied_with(
		tool_call("openai", "responses.create", ["openai:chat"], {"model": "gpt-4o-mini", "max_output_tokens": 9999}),
		"max_output_tokens must be a number no greater than 4096 for tier default",
	)
	denied_with(
		chat({"model": "gpt-4o-mini", "max_completion_tokens": "100"}),
		"max_completion_tokens must be a number no greater than 4096 for tier default",
	)
}

test_request_without_model_is_denied if {
	denied_with(chat({"messages": []}), "the OpenAI request must name a model")
	denied_with(chat(null), "the OpenAI request must name a model")
}

test_models_list_needs_no_model if {
	allowed(tool_call("openai", "models.list", ["openai:models"], null))
}
