package agentgw_test

import data.agentgw

test_host_matches_itself_and_subdomains if {
	agentgw.host_matches("example.com", "example.com")
	agentgw.host_matches("a.b.example.com", "example.com")
	agentgw.host_matches("Example.COM.", "example.com")
}

test_host_does_not_match_lookalikes if {
	not agentgw.host_matches("evilexample.com", "example.com")
	not agentgw.host_matches("example.com.evil.test", "example.com")
	not agentgw.host_matches("example.co", "example.com")
}
