# OpenAI models and token caps by tier
#
# For OpenAI calls that name a model, the model must be on the list for the
# agent's tier (data.settings.openai.tiers; unknown tiers use "default"), and
# any output-token limit in the body must not exceed that tier's max_tokens.
package agentgw

openai_model_actions := {"chat.completions.create", "responses.create", "embeddings.create"}

# The fields through which the OpenAI APIs let a caller ask for output tokens.
openai_token_fields := ["max_tokens", "max_completion_tokens", "max_output_tokens"]

openai_tier := input.agent.tier if {
	settings.openai.tiers[input.agent.tier]
} else := "default"

openai_limits := settings.openai.tiers[openai_tier]

openai_call if {
	input.phase == "call"
	input.tool == "openai"
	input.action in openai_model_actions
}

deny contains msg if {
	openai_call
	not is_string(input.request.body.model)
	msg := "the OpenAI request must name a model"
}

deny contains msg if {
	openai_call
	model := input.request.body.model
	is_string(model)
	not model in openai_limits.models
	msg := sprintf("model %s is not allowed for tier %s", [model, openai_tier])
}

deny contains msg if {
	openai_call
	some field in openai_token_fields
	requested := input.request.body[field]
	not token_count_within(requested, openai_limits.max_tokens)
	msg := sprintf("%s must be a number no greater than %d for tier %s", [field, openai_limits.max_tokens, openai_tier])
}

token_count_within(n, cap) if {
	is_number(n)
	n <= cap
}
