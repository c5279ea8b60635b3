// A store that announces its changes on the invalidation bus: every write that can make a
// cached agent, key or verified token stale (suspend, delete, key revocation, token
// revocation) publishes an event after it succeeds, so every instance's caches drop the
// entry at once, whichever admin route or instance made the change.
import type { Store } from "../store/types.js";
import type { InvalidationBus } from "./invalidation-bus.js";

export function announcingStore(store: Store, bus: Pick<InvalidationBus, "publish">): Store {
  const { agents, tokens } = store;
  return {
    ...store,
    engine: store.engine,
    ping: () => store.ping(),
    close: () => store.close(),
    agents: {
      ...agents,
      async update(id, patch) {
        const agent = await agents.update(id, patch);
        if (agent) await bus.publish({ kind: "agent", agentId: id });
        return agent;
      },
      async delete(id) {
        const deleted = await agents.delete(id);
        if (deleted) await bus.publish({ kind: "agent", agentId: id });
        return deleted;
      },
      async revokeKey(agentId, kid) {
        const revoked = await agents.revokeKey(agentId, kid);
        if (revoked) await bus.publish({ kind: "key", kid });
        return revoked;
      },
    },
    tokens: {
      ...tokens,
      async revokeByJti(jti, at) {
        const n = await tokens.revokeByJti(jti, at);
        if (n > 0) await bus.publish({ kind: "token", jti });
        return n;
      },
      async revokeByAgent(agentId, at, kid) {
        const n = await tokens.revokeByAgent(agentId, at, kid);
        await bus.publish(kid ? { kind: "key", kid } : { kind: "agent", agentId });
        return n;
      },
    },
  };
}
