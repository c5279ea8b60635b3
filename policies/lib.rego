# Shared helpers
#
# Host-name matching and the settings profiles (role, agent) that apply to a request.
package agentgw

# Settings read with object.get and a default, so that a missing setting reads
# as empty rather than undefined (an undefined value in a `not` would allow).
settings := data.settings if {
	is_object(data.settings)
} else := {}

roles := object.get(settings, "roles", {})

agent_settings := object.get(settings, "agents", {})

# Profiles are the named groups of settings that apply to this agent: the one for
# its role (agent metadata.role) and the one for the agent itself
# (data.settings.agents[<agent id>]). Every rule that reads a profile applies
# all of them, so a per-agent rule can only narrow what the role allows.
profiles[label] := profile if {
	role := agent_role
	profile := roles[role]

	# concat, not sprintf: sprintf is a host builtin under WebAssembly (a JSON round trip into
	# JavaScript on every decision), concat runs inside the module.
	label := concat("", ["role ", role])
}

profiles[label] := profile if {
	profile := agent_settings[input.agent.id]
	label := concat("", ["agent ", input.agent.id])
}

agent_role := role if {
	role := input.agent.metadata.role
	is_string(role)
}

deny contains msg if {
	role := agent_role
	not roles[role]
	msg := sprintf("agent role %s is not defined in the policy settings", [role])
}

# A host name as compared by the policy: lower case, without a trailing dot.
normalize_host(host) := trim_suffix(lower(host), ".")

# host_matches is true when `host` is `pattern` or one of its subdomains: the
# pattern "example.com" matches "example.com" and "api.example.com", never
# "evilexample.com". The pattern "*" matches every host.
host_matches(_, "*")

host_matches(host, pattern) if normalize_host(host) == normalize_host(pattern)

host_matches(host, pattern) if {
	pattern != "*"
	endswith(normalize_host(host), concat("", [".", normalize_host(pattern)]))
}

host_in(host, patterns) if {
	some pattern in patterns
	host_matches(host, pattern)
}
