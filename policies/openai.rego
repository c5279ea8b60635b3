# OpenAI models and token caps by tier
#
# For OpenAI calls that name a model, the model must be on the list for the
# agent's tier (data.settings.openai.tiers; unknown tiers use "default"), and
# any output-token limit in the body must not exceed that tier's max_tokens.
package agentgw

openai_model_actions := {"chat.completions.create", "responses.create", "embeddings.create"}

# The fields through which the OpenAI APIs let a caller ask for output tokens.
openai_token_fields := ["max_tokens", "max_completion_tokens", "max_output_tokens"]

openai_tiers := object.get(object.get(settings, "openai", {}), "tiers", {})

openai_tier := input.agent.tier if {
	openai_tiers[input.agent.tier]
} else := "default"

openai_limits := object.get(openai_tiers, openai_tier, {})

# No models configured for the tier means no model is allowed.
openai_models := object.get(openai_limits, "models", [])

openai_call if {
	input.phase == "call"
	input.tool == "openai"
	input.action in openai_model_actions
}

openai_model := model if {
	model := input.request.body.model
	is_string(model)
}

deny contains msg if {
	openai_call
	not openai_model
	msg := "the OpenAI request must name a model"
}

deny contains msg if {
	openai_call
	not openai_model in openai_models
	msg := sprintf("model %s is not allowed for tier %s", [openai_model, openai_tier])
}

deny contains msg if {
	openai_call
	some field in openai_token_fields
	requested := input.request.body[field]
	cap := openai_limits.max_tokens
	not token_count_within(requested, cap)
	msg := sprintf("%s must be a number no greater than %d for tier %s", [field, cap, openai_tier])
}

token_count_within(n, cap) if {
	is_number(n)
	n <= cap
}
