# HTTP fetch host allow- and block-lists
#
# The http tool's body is {url, method, headers, body}. The URL must be an
# absolute http(s) URL whose host is on data.settings.http.allow_hosts (a
# name matches itself and its subdomains; "*" matches all) and not on
# block_hosts (same matching; the block-list wins).
package agentgw

http_settings := object.get(settings, "http", {})

http_allow_hosts := object.get(http_settings, "allow_hosts", [])

http_block_hosts := object.get(http_settings, "block_hosts", [])

http_fetch if {
	input.phase == "call"
	input.tool == "http"
	input.action == "fetch"
}

# Scheme, optional user-info, then the host up to a port, path, query or
# fragment. A backslash ends the user-info and the host, as WHATWG URL parsing
# treats it as "/" in http(s) URLs, so "http://a.com\@b.com" names a.com here too.
http_url_pattern := `^[hH][tT][tT][pP][sS]?://(?:[^@/?#\\]*@)?(\[[0-9a-fA-F:.]*\]|[^:/?#\[\]\\@]*)(?::[0-9]*)?(?:[/?#\\]|$)`

http_host := normalize_host(match[0][1]) if {
	url := input.request.body.url
	is_string(url)
	match := regex.find_all_string_submatch_n(http_url_pattern, url, 1)
	count(match) == 1
	match[0][1] != ""
}

deny contains "the fetch URL must be an absolute http or https URL with a host" if {
	http_fetch
	not http_host
}

deny contains msg if {
	http_fetch
	contains(http_host, "%")
	msg := "percent-encoded host names are not accepted"
}

deny contains msg if {
	http_fetch
	host_in(http_host, http_block_hosts)
	msg := sprintf("host %s is blocked", [http_host])
}

deny contains msg if {
	http_fetch
	not host_in(http_host, http_allow_hosts)
	msg := sprintf("host %s is not on the allow-list", [http_host])
}
