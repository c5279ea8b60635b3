# Inputs shared by the policy tests: an active agent with every scope, asking
# for a token or calling a tool on Monday 2026-11-23 at 10:00 UTC (11:00 in Berlin).
package agentgw_test

import data.agentgw

all_scopes := ["openai:chat", "openai:embeddings", "openai:models", "gmail:send", "gmail:read", "serpapi:search", "http:fetch"]

sample_agent := {"id": "agt_test", "name": "tester", "tier": "default", "scopes": all_scopes, "metadata": {}}

monday_morning := {"now": "2026-11-23T10:00:00Z", "unix": 1795428000}

token_request(tool, scopes, intent) := {
	"phase": "token",
	"agent": sample_agent,
	"kid": "kid-test",
	"tool": tool,
	"action": null,
	"scopes": scopes,
	"intent": intent,
	"request": {"method": "POST", "path": "/v1/tokens", "query": {}, "headers": {"content-type": "application/json"}, "size": 60, "body": null},
	"token": null,
	"time": monday_morning,
	"source": {"ip": "127.0.0.1"},
}

tool_call(tool, action, scopes, body) := {
	"phase": "call",
	"agent": sample_agent,
	"kid": "kid-test",
	"tool": tool,
	"action": action,
	"scopes": scopes,
	"intent": null,
	"request": {"method": "POST", "path": "/", "query": {}, "headers": {"content-type": "application/json", "content-length": "200"}, "size": 200, "body": body},
	"token": {"jti": "jti-test", "scopes": scopes, "iat": 1795427990, "exp": 1795428290},
	"time": monday_morning,
	"source": {"ip": "127.0.0.1"},
}

# The same input for an agent with other fields (role, tier, scopes ...).
with_agent(request, changes) := object.union(request, {"agent": object.union(sample_agent, changes)})

decision_for(request) := decision if {
	decision := agentgw.decision with input as request
}

allowed(request) if {
	decision := decision_for(request)
	decision.allow == true
	decision.reasons == []
}

denied_with(request, reason) if {
	decision := decision_for(request)
	decision.allow == false
	reason in decision.reasons
}

needs_approval_with(request, reason) if {
	decision := decision_for(request)
	decision.allow == false
	reason in decision.reasons
	contains(decision.approval.reason, reason)
}
