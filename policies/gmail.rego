# Gmail recipients: allowed domains, and a person's approval for the rest
#
# For messages.send the gateway parses the RFC 2822 message and gives the
# policy request.body = {to, cc, bcc, subject}. A message to recipients in the
# agent's allowed domains (or their subdomains) goes out; one to anybody else
# needs a person's approval first. The agent's allowed domains are its
# metadata.gmail_allowed_domains when an admin set that list, otherwise
# data.settings.gmail.allowed_recipient_domains. A message whose recipients
# cannot be read, or that names an invalid address, is refused.
package agentgw

gmail_send if {
	input.phase == "call"
	input.tool == "gmail"
	input.action == "messages.send"
}

gmail_allowed_domains := domains if {
	domains := input.agent.metadata.gmail_allowed_domains
	is_array(domains)
} else := object.get(object.get(settings, "gmail", {}), "allowed_recipient_domains", [])

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

needs_approval contains msg if {
	gmail_send
	some recipient in gmail_recipients
	domain := email_domain(recipient)
	not host_in(domain, gmail_allowed_domains)
	msg := sprintf("recipient domain %s is outside the agent's allowed domains", [domain])
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
