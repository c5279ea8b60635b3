# Request-size limits
#
# A tool call's body may not exceed data.settings.max_body_bytes[<tool>]
# (else ["default"]) bytes, as declared by its content-length header.
package agentgw

body_limits := object.get(settings, "max_body_bytes", {})

max_body_bytes := limit if {
	limit := body_limits[input.tool]
} else := body_limits.default

deny contains msg if {
	input.phase == "call"
	size := to_number(input.request.headers["content-length"])
	size > max_body_bytes
	msg := sprintf("the request body of %d bytes exceeds the limit of %d bytes for tool %s", [size, max_body_bytes, input.tool])
}
