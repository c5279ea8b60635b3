package agentgw_test

sized(request, bytes) := object.union(request, {"request": {"size": bytes}})

# Chunked transfer: no content-length header, only the size the gateway counted.
chunked(request, bytes) := json.patch(sized(request, bytes), [
	{"op": "remove", "path": "/request/headers/content-length"},
	{"op": "add", "path": "/request/headers/transfer-encoding", "value": "chunked"},
])

test_body_within_the_tool_limit_passes if {
	allowed(sized(tool_call("serpapi", "search", ["serpapi:search"], null), 16384))
}

test_body_over_the_tool_limit_is_denied if {
	denied_with(
		sized(tool_call("serpapi", "search", ["serpapi:search"], null), 16385),
		"the request body of 16385 bytes exceeds the limit of 16384 bytes for tool serpapi",
	)
}

test_chunked_body_over_the_limit_is_denied_without_content_length if {
	denied_with(
		chunked(tool_call("serpapi", "search", ["serpapi:search"], null), 20000),
		"the request body of 20000 bytes exceeds the limit of 16384 bytes for tool serpapi",
	)
}

test_a_small_content_length_does_not_hide_a_large_body if {
	request := object.union(
		sized(tool_call("serpapi", "search", ["serpapi:search"], null), 20000),
		{"request": {"headers": {"content-length": "10"}}},
	)
	denied_with(request, "the request body of 20000 bytes exceeds the limit of 16384 bytes for tool serpapi")
}

test_a_call_without_a_size_is_denied if {
	request := json.remove(tool_call("serpapi", "search", ["serpapi:search"], null), ["request/size"])
	denied_with(request, "the request size is unknown")
}

# `with` merges objects into base data, so take the member out instead.
without_serpapi_limit := json.patch(data.settings, [{"op": "remove", "path": "/max_body_bytes/serpapi"}])

test_tool_without_its_own_limit_uses_the_default if {
	denied_with(
		sized(tool_call("serpapi", "search", ["serpapi:search"], null), 2000000),
		"the request body of 2000000 bytes exceeds the limit of 1048576 bytes for tool serpapi",
	) with data.settings as without_serpapi_limit
}
