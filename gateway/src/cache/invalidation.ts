// What a write tells the read caches. Agents, keys and revocations are read from
// memory on the request path; every admin write that changes them publishes an
// event here, and every cache drops what the event names. One process needs only
// the in-process bus below; several instances plug in a bus with the same
// interface that also fans events out to the others (e.g. Redis pub/sub).
export type Invalidation =
  /** The agent, its status or any of its keys changed (or it was deleted). */
  | { kind: "agent"; agentId: string }
  /** A key was registered: a cached "no such key" for this kid must go. */
  | { kind: "key"; kid: string }
  /** One token was revoked. */
  | { kind: "token"; jti: string }
  /** Some or all of an agent's tokens were revoked. */
  | { kind: "agent-tokens"; agentId: string }
  /** A credential was created, rotated, activated or deleted: its active version must be re-read. */
  | { kind: "credential"; name: string }
  /** Everything cached may be stale (events from other instances may have been missed). */
  | { kind: "all" }
  /** The token signing keys rotated: re-read them from the store. */
  | { kind: "signing-keys" }
  /** An admin reloaded the policy on one instance: every instance reloads. */
  | { kind: "policy-reload" }
  /** A credential was added, rotated, activated or deleted: re-read the credential index. */
  | { kind: "credentials" };

/** `remote` is true for an event another instance published. */
export type InvalidationListener = (event: Invalidation, remote: boolean) => void;

export interface InvalidationBus {
  /**
   * Delivers `event` to this instance's listeners before it resolves (so the admin
   * request that wrote the change answers only once this instance's caches forgot
   * the old state), then to every other instance.
   */
  publish(event: Invalidation): Promise<void>;
  /** Every event, published here or by another instance; returns an unsubscribe function. */
  subscribe(listener: InvalidationListener): () => void;
  /**
   * False while this instance may miss other instances' events (the fan-out is down):
   * caches then neither answer from memory nor keep answers. Absent: always true.
   */
  cacheable?(): boolean;
}

/** The in-process bus: enough for one gateway process. */
export function createLocalInvalidationBus(): InvalidationBus {
  const listeners = new Set<InvalidationListener>();
  return {
    async publish(event) {
      for (const listener of listeners) listener(event, false);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
