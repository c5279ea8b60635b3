package agentgw_test

office_hours_reason := "role office-hours may act only on Monday, Tuesday, Wednesday, Thursday, Friday from 08:00 to 19:00 (Europe/Berlin)"

office_agent(unix) := with_agent(object.union(token_request("openai", ["openai:chat"], null), {"time": {"unix": unix}}), {"metadata": {"role": "office-hours"}})

test_inside_office_hours_is_allowed if {
	allowed(office_agent(1795428000)) # Monday 11:00 in Berlin (CET)
}

test_weekend_is_denied if {
	denied_with(office_agent(1795341600), office_hours_reason) # Sunday 11:00
}

test_before_start_is_denied if {
	denied_with(office_agent(1795415400), office_hours_reason) # Monday 07:30
}

test_end_is_exclusive if {
	denied_with(office_agent(1795456800), office_hours_reason) # Monday 19:00
}

test_summer_time_is_respected if {
	denied_with(office_agent(1783315800), office_hours_reason) # Monday 07:30 CEST (05:30 UTC)
	allowed(office_agent(1783319400)) # Monday 08:30 CEST (06:30 UTC)
}

test_agents_without_a_window_are_not_limited if {
	allowed(object.union(token_request("openai", ["openai:chat"], null), {"time": {"unix": 1795341600}}))
}
