package agentgw_test

send(body) := tool_call("gmail", "messages.send", ["gmail:send"], body)

test_recipients_in_allowed_domains_pass if {
	allowed(send({"to": ["alice@example.com"], "cc": ["Bob <bob@Example.ORG>"], "bcc": [], "subject": "hi"}))
}

test_subdomain_of_an_allowed_domain_passes if {
	allowed(send({"to": ["carol@mail.example.com"], "subject": "hi"}))
}

test_recipient_elsewhere_needs_approval if {
	needs_approval_with(send({"to": ["alice@example.com"], "bcc": ["Mallory <m@evil.test>"]}), "recipient domain evil.test is outside the agent's allowed domains")
}

test_lookalike_domain_needs_approval if {
	needs_approval_with(send({"to": ["x@evilexample.com"]}), "recipient domain evilexample.com is outside the agent's allowed domains")
}

test_every_outside_domain_is_named_in_the_approval_reason if {
	decision := decision_for(send({"to": ["a@one.test", "b@two.test"]}))
	decision.approval.reason == "recipient domain one.test is outside the agent's allowed domains; recipient domain two.test is outside the agent's allowed domains"
}

test_agent_metadata_sets_its_own_allowed_domains if {
	allowed(with_agent(send({"to": ["a@partner.test"]}), {"metadata": {"gmail_allowed_domains": ["partner.test"]}}))
	needs_approval_with(
		with_agent(send({"to": ["a@example.com"]}), {"metadata": {"gmail_allowed_domains": ["partner.test"]}}),
		"recipient domain example.com is outside the agent's allowed domains",
	)
}

test_a_denial_wins_over_an_approval if {
	decision := decision_for(send({"to": ["m@evil.test", "not-an-address"]}))
	decision.allow == false
	not decision.approval
	"recipient not-an-address is not a valid e-mail address" in decision.reasons
}

test_an_allowed_send_asks_no_approval if {
	decision := decision_for(send({"to": ["alice@example.com"]}))
	decision.allow == true
	not decision.approval
}

test_invalid_address_is_denied if {
	denied_with(send({"to": ["not-an-address"]}), "recipient not-an-address is not a valid e-mail address")
	denied_with(send({"to": ["a@b@example.com"]}), "recipient a@b@example.com is not a valid e-mail address")
}

test_unreadable_message_is_denied if {
	denied_with(send(null), "the message's recipients could not be read")
}

test_message_without_recipients_is_denied if {
	denied_with(send({"to": [], "subject": "hi"}), "the message names no recipients")
}

test_recipient_field_that_is_not_a_list_is_denied if {
	denied_with(send({"to": "m@evil.test"}), "the message's to field must be a list of addresses")
}
