package agentgw_test

fetch(url) := tool_call("http", "fetch", ["http:fetch"], {"url": url, "method": "GET"})

test_allowed_host_passes if {
	allowed(fetch("https://example.com/page?q=1"))
	allowed(fetch("http://EXAMPLE.com.:8080/"))
}

test_subdomain_of_an_allowed_host_passes if {
	allowed(fetch("https://api.example.com/v1"))
}

test_lookalike_host_is_denied if {
	denied_with(fetch("https://evilexample.com/"), "host evilexample.com is not on the allow-list")
	denied_with(fetch("https://example.com.evil.test/"), "host example.com.evil.test is not on the allow-list")
}

test_userinfo_does_not_fool_the_host if {
	denied_with(fetch("https://example.com@evil.test/"), "host evil.test is not on the allow-list")
	denied_with(fetch("https://evil.test\\@example.com/"), "host evil.test is not on the allow-list")
	denied_with(fetch("https://evil.test#@example.com/"), "host evil.test is not on the allow-list")
}

test_block_list_wins_over_allow_list if {
	denied_with(fetch("https://internal.example.com/admin"), "host internal.example.com is blocked")
	denied_with(fetch("https://a.internal.example.com/"), "host a.internal.example.com is blocked")
}

test_metadata_address_is_blocked if {
	denied_with(fetch("http://169.254.169.254/latest/meta-data"), "host 169.254.169.254 is blocked")
}

test_non_http_url_is_denied if {
	denied_with(fetch("ftp://example.com/file"), "the fetch URL must be an absolute http or https URL with a host")
	denied_with(fetch("example.com/page"), "the fetch URL must be an absolute http or https URL with a host")
	denied_with(tool_call("http", "fetch", ["http:fetch"], {"method": "GET"}), "the fetch URL must be an absolute http or https URL with a host")
}

test_percent_encoded_host_is_denied if {
	denied_with(fetch("https://internal%2eexample.com/"), "percent-encoded host names are not accepted")
}

test_star_allows_any_host_but_the_blocked_ones if {
	allowed(fetch("https://anything.test/")) with data.settings.http.allow_hosts as ["*"]
	denied_with(fetch("https://internal.example.com/"), "host internal.example.com is blocked") with data.settings.http.allow_hosts as ["*"]
}
