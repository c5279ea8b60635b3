package agentgw_test

send(body) := tool_call("gmail", "messages.send", ["gmail:send"], body)

test_recipients_in_allowed_domains_pass if {
	allowed(send({"to": ["alice@example.com"], "cc": ["Bob <bob@Example.ORG>"], "bcc": [], "subject": "hi"}))
}

test_subdomain_of_an_allowed_domain_passes if {
	allowed(send({"to": ["carol@mail.example.com"], "subject": "hi"}))
}

test_recipient_elsewhere_is_denied if {
	denied_with(send({"to": ["alice@example.com"], "bcc": ["Mallory <m@evil.test>"]}), "recipient domain evil.test is not allowed")
}

test_lookalike_domain_is_denied if {
	denied_with(send({"to": ["x@evilexample.com"]}), "recipient domain evilexample.com is not allowed")
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
