# Request-size limits
#
# A tool call's body may not exceed data.settings.max_body_bytes[<tool>]
# (else ["default"]) bytes, counted as the gateway received them
# (input.request.size). A content-length header is not trusted for this: a
# chunked request has none, and the bytes received are what is forwarded.
package agentgw

body_limits := object.get(settings, "max_body_bytes", {})

max_body_bytes := limit if {
	limit := body_limits[input.tool]
} else := body_limits.default

deny contains msg if {
	input.phase == "call"
	size := input.request.size
	size > max_body_bytes
	msg := sprintf("the request body of %d bytes exceeds the limit of %d bytes for tool %s", [size, max_body_bytes, input.tool])
}

# A call whose input has no numeric size cannot be measured, so it is not allowed.
deny contains "the request size is unknown" if {
	input.phase == "call"
	not has_request_size
}

has_request_size if is_number(input.request.size)
