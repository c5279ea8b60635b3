# Time windows in a named time zone
#
# A profile with active_hours = {time_zone, days, start, end} may act only on
# those week days between start (inclusive) and end (exclusive), both "HH:MM"
# wall-clock times in the IANA time zone given. The time comes from
# input.time.unix (the gateway's clock), never from the policy engine.
package agentgw

deny contains msg if {
	some label, profile in profiles
	window := profile.active_hours
	not within_window(window)
	msg := sprintf(
		"%s may act only on %s from %s to %s (%s)",
		[label, concat(", ", window.days), window.start, window.end, window.time_zone],
	)
}

within_window(window) if {
	at := [input.time.unix * 1000000000, window.time_zone]
	time.weekday(at) in window.days
	[hour, minute, _] := time.clock(at)
	now := (hour * 60) + minute
	now >= minutes_of_day(window.start)
	now < minutes_of_day(window.end)
}

minutes_of_day(hhmm) := (to_number(parts[0]) * 60) + to_number(parts[1]) if {
	parts := split(hhmm, ":")
	count(parts) == 2
}
