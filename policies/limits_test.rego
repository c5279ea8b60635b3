package agentgw_test

sized(request, bytes) := object.union(request, {"request": {"headers": {"content-length": bytes}}})

test_body_within_the_tool_limit_passes if {
	allowed(sized(tool_call("serpapi", "search", ["serpapi:search"], null), "16384"))
}

test_body_over_the_tool_limit_is_denied if {
	denied_with(
		sized(tool_call("serpapi", "search", ["serpapi:search"], null), "16385"),
		"the request body of 16385 bytes exceeds the limit of 16384 bytes for tool serpapi",
	)
}

# `with` merges objects into base data, so take the member out instead.
without_serpapi_limit := json.patch(data.settings, [{"op": "remove", "path": "/max_body_bytes/serpapi"}])

test_tool_without_its_own_limit_uses_the_default if {
	denied_with(
		sized(tool_call("serpapi", "search", ["serpapi:search"], null), "2000000"),
		"the request body of 2000000 bytes exceeds the limit of 1048576 bytes for tool serpapi",
	) with data.settings as without_serpapi_limit
}
