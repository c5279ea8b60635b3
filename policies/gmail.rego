# Gmail recipients limited to allowed domains
#
# For messages.send the gateway parses the RFC 2822 message and gives the
# policy request.body = {to, cc, bcc, subject}. Every recipient's domain must
# be one of data.settings.gmail.allowed_recipient_domains or a subdomain of
# one. A message whose recipients cannot be read is refused.
package agentgw

gmail_send if {
	input.phase == "call"
	input.tool == "gmail"
	input.action == "messages.send"
}

gmail_allowed_domains := object.get(object.get(settings, "gmail", {}), "allowed_recipient_domains", [])

gmail_recipient_fields := ["to", "cc", "bcc"]

gmail_body := body if {
	body := input.request.body
	is_object(body)
}

gmail_recipients := [recipient |
	some field in gmail_recipient_fields
	some recipient in object.get(gmail_body, field, [])
]

deny contains "the message's recipients could not be read" if {
	gmail_send
	not gmail_body
}

# A recipient field that is not a list would be skipped by the checks below.
deny contains msg if {
	gmail_send
	some field in gmail_recipient_fields
	value := gmail_body[field]
	not is_array(value)
	msg := sprintf("the message's %s field must be a list of addresses", [field])
}

deny contains "the message names no recipients" if {
	gmail_send
	gmail_body
	count(gmail_recipients) == 0
}

deny contains msg if {
	gmail_send
	some recipient in gmail_recipients
	not email_domain(recipient)
	msg := sprintf("recipient %s is not a valid e-mail address", [format_recipient(recipient)])
}

deny contains msg if {
	gmail_send
	some recipient in gmail_recipients
	domain := email_domain(recipient)
	not host_in(domain, gmail_allowed_domains)
	msg := sprintf("recipient domain %s is not allowed", [domain])
}

# The domain of "Name <user@domain>" or "user@domain", lower case.
email_domain(recipient) := domain if {
	is_string(recipient)
	parts := split(email_address(recipient), "@")
	count(parts) == 2
	parts[0] != ""
	regex.match(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`, parts[1])
	domain := parts[1]
}

email_address(recipient) := lower(trim_space(match[0][1])) if {
	match := regex.find_all_string_submatch_n(`<([^<>]*)>`, recipient, 1)
	count(match) == 1
} else := lower(trim_space(recipient))

format_recipient(recipient) := recipient if is_string(recipient)

else := "(not a string)"
