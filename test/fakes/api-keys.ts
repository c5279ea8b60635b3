// The API keys a fake upstream accepts: the one it starts with, others issued later (as a
// provider's dashboard would), revocations; a reset accepts the starting key alone again.
export interface ApiKeys {
  has(key: string): boolean;
  /** Issues another valid key (made by `mint`) and returns it. */
  issue(): string;
  revoke(key: string): void;
  reset(): void;
}

export function createApiKeys(first: string, mint: () => string): ApiKeys {
  const valid = new Set([first]);
  return {
    has: (key) => valid.has(key),
    issue() {
      const key = mint();
      valid.add(key);
      return key;
    },
    revoke(key) {
      valid.delete(key);
    },
    reset() {
      valid.clear();
      valid.add(first);
    },
  };
}
