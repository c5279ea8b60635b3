// The store as the request path reads it: agents with their keys, token
// revocations and credentials' active versions, answered from memory after the first read. Writes go to the store
// first and then publish an invalidation (./invalidation.ts), so an admin change is
// in effect on this instance before its request answers, and on the others as fast
// as their bus delivers. A read racing an invalidation is not cached (a generation
// count says whether one arrived meanwhile), so a stale answer can never stick.
import type {
  Agent,
  AgentKey,
  AgentStore,
  CredentialStore,
  SealedVersion,
  Store,
  TokenStore,
} from "../store/types.js";
import { BoundedMap } from "./bounded-map.js";
import type { InvalidationBus } from "./invalidation.js";

export interface ReadCacheOptions {
  /** Keys (and their agents) kept in memory, including "no such key" answers. Default 10 000. */
  maxKeys?: number;
  /** Token revocation answers kept in memory. Default 100 000. */
  maxTokens?: number;
}

type KeyLookup = { agent: Agent; key: AgentKey } | null;

/** Wraps `store.agents`, `store.tokens` and `store.credentials` with read caches kept fresh by `bus`. */
export function withReadCaches(store: Store, bus: InvalidationBus, options: ReadCacheOptions = {}): Store {
  const keys = new BoundedMap<string, KeyLookup>(options.maxKeys ?? 10_000);
  const revocations = new BoundedMap<string, number | null>(options.maxTokens ?? 100_000);
  const activeCredentials = new BoundedMap<string, SealedVersion | null>(1_000);
  let generation = 0;
  // While the bus may miss other instances' events, every read goes to the store.
  const live = () => bus.cacheable?.() !== false;

  bus.subscribe((event) => {
    generation++;
    switch (event.kind) {
      case "key":
        keys.delete(event.kid);
        break;
      case "agent":
        for (const [kid, found] of keys) if (found?.agent.id === event.agentId) keys.delete(kid);
        break;
      case "token":
        revocations.delete(event.jti);
        break;
      case "agent-tokens":
        // Which cached jtis belong to the agent is not known here; revocations are rare, so forget them all.
        revocations.clear();
        break;
      case "credential":
        activeCredentials.delete(event.name);
        break;
      case "all":
        keys.clear();
        revocations.clear();
        activeCredentials.clear();
        break;
    }
  });

  // Every method is listed, so a method added to the interface must say here whether it changes what is cached.
  const agents: AgentStore = {
    list: (query) => store.agents.list(query),
    get: (id) => store.agents.get(id),
    async findByKid(kid) {
      if (live() && keys.has(kid)) return keys.get(kid) ?? null;
      const seen = generation;
      const found = await store.agents.findByKid(kid);
      if (seen === generation && live()) keys.set(kid, found);
      return found;
    },
    async create(agent) {
      const created = await store.agents.create(agent);
      await bus.publish({ kind: "key", kid: agent.key.kid });
      return created;
    },
    async update(id, patch) {
      const updated = await store.agents.update(id, patch);
      await bus.publish({ kind: "agent", agentId: id });
      return updated;
    },
    async delete(id) {
      const deleted = await store.agents.delete(id);
      await bus.publish({ kind: "agent", agentId: id });
      await bus.publish({ kind: "agent-tokens", agentId: id });
      return deleted;
    },
    async addKey(agentId, key) {
      const added = await store.agents.addKey(agentId, key);
      await bus.publish({ kind: "key", kid: key.kid });
      await bus.publish({ kind: "agent", agentId });
      return added;
    },
    async revokeKey(agentId, kid) {
      const revoked = await store.agents.revokeKey(agentId, kid);
      await bus.publish({ kind: "key", kid });
      await bus.publish({ kind: "agent", agentId });
      return revoked;
    },
  };

  const tokens: TokenStore = {
    recordIssued: (token) => store.tokens.recordIssued(token),
    purgeExpired: (now) => store.tokens.purgeExpired(now),
    async revokedAt(jti) {
      if (live() && revocations.has(jti)) return revocations.get(jti) ?? null;
      const seen = generation;
      const at = await store.tokens.revokedAt(jti);
      if (seen === generation && live()) revocations.set(jti, at);
      return at;
    },
    async revokeByJti(jti, at) {
      const count = await store.tokens.revokeByJti(jti, at);
      await bus.publish({ kind: "token", jti });
      return count;
    },
    async revokeByAgent(agentId, at, kid) {
      const count = await store.tokens.revokeByAgent(agentId, at, kid);
      await bus.publish({ kind: "agent-tokens", agentId });
      return count;
    },
  };

  // The active version of a credential is read on every tool call (a rotation applies at once).
  const credentials: CredentialStore = {
    list: () => store.credentials.list(),
    get: (name) => store.credentials.get(name),
    sealedVersions: () => store.credentials.sealedVersions(),
    async active(name) {
      if (live() && activeCredentials.has(name)) return activeCredentials.get(name) ?? null;
      const seen = generation;
      const found = await store.credentials.active(name);
      if (seen === generation && live()) activeCredentials.set(name, found);
      return found;
    },
    async create(input) {
      const created = await store.credentials.create(input);
      await bus.publish({ kind: "credential", name: input.name });
      return created;
    },
    async addVersion(name, input) {
      const next = await store.credentials.addVersion(name, input);
      await bus.publish({ kind: "credential", name });
      return next;
    },
    async activate(name, version) {
      const next = await store.credentials.activate(name, version);
      await bus.publish({ kind: "credential", name });
      return next;
    },
    async delete(name) {
      const deleted = await store.credentials.delete(name);
      await bus.publish({ kind: "credential", name });
      return deleted;
    },
  };

  return {
    engine: store.engine,
    agents,
    tokens,
    decisions: store.decisions,
    audit: store.audit,
    records: store.records,
    budgets: store.budgets,
    signingKeys: store.signingKeys,
    credentials,
    approvals: store.approvals,
    // Read through, so a sign-out on one instance holds on all at once.
    consoleSignOuts: store.consoleSignOuts,
    // Read through: MCP servers and pins are read per MCP request, never cached, so every instance agrees.
    mcp: store.mcp,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
