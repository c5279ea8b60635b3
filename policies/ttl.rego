# Token lifetime obligation
#
# Sets obligations.max_ttl_seconds to the least of the tool's limit
# (data.settings.max_ttl_seconds[<tool>], else ["default"]) and every
# applicable profile's max_ttl_seconds. The gateway issues no token that
# lives longer.
package agentgw

tool_ttl_limits := object.get(settings, "max_ttl_seconds", {})

ttl_limits contains seconds if {
	seconds := tool_ttl_limits[input.tool]
}

ttl_limits contains seconds if {
	not tool_ttl_limits[input.tool]
	seconds := tool_ttl_limits.default
}

ttl_limits contains seconds if {
	some profile in profiles
	seconds := profile.max_ttl_seconds
}

obligation[name] := value if {
	name := "max_ttl_seconds"
	count(ttl_limits) > 0
	value := min(ttl_limits)
}
