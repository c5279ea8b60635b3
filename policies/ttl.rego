# Token lifetime obligation
#
# Sets obligations.max_ttl_seconds to the least of the tool's limit
# (data.settings.max_ttl_seconds[<tool>], else ["default"]) and every
# applicable profile's max_ttl_seconds. The gateway issues no token that
# lives longer.
package agentgw

ttl_limits contains object.get(settings.max_ttl_seconds, input.tool, settings.max_ttl_seconds.default)

ttl_limits contains seconds if {
	some profile in profiles
	seconds := profile.max_ttl_seconds
}

obligation[name] := value if {
	name := "max_ttl_seconds"
	count(ttl_limits) > 0
	value := min(ttl_limits)
}
