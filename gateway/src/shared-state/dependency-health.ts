// Which shared servers (PostgreSQL, Redis) are reachable right now, as seen by this
// process: /readyz reports it, metrics export it, and every refusal it causes is counted.
// A dependency is marked down by a failed call or a dropped connection and up again by
// the next success, so the gateway recovers by itself when the server returns.
import { StoreUnavailableError } from "../store/types.js";

export type Dependency = "postgres" | "redis";

export interface DependencyHealth {
  /** Dependencies this process uses, each true when last seen reachable. */
  snapshot(): ReadonlyMap<Dependency, boolean>;
  markUp(dependency: Dependency): void;
  markDown(dependency: Dependency): void;
  /**
   * Runs `fn`; a StoreUnavailableError marks its dependency down and is counted (the caller
   * then answers 503 store_unavailable); a success marks `dependency` up.
   */
  guard<T>(dependency: Dependency, fn: () => Promise<T>): Promise<T>;
}

export interface DependencyHealthOptions {
  /** Called once per request refused because a dependency was unreachable. */
  onUnavailable?: (dependency: Dependency) => void;
  /** Called when a dependency changes state (for a log line). */
  onChange?: (dependency: Dependency, up: boolean) => void;
}

export function createDependencyHealth(
  dependencies: readonly Dependency[],
  options: DependencyHealthOptions = {},
): DependencyHealth {
  const state = new Map<Dependency, boolean>(dependencies.map((d) => [d, true]));
  const set = (dependency: Dependency, up: boolean) => {
    if (!state.has(dependency) || state.get(dependency) === up) return;
    state.set(dependency, up);
    options.onChange?.(dependency, up);
  };
  return {
    snapshot: () => new Map(state),
    markUp: (dependency) => set(dependency, true),
    markDown: (dependency) => set(dependency, false),
    async guard(dependency, fn) {
      try {
        const result = await fn();
        set(dependency, true);
        return result;
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          set(error.dependency, false);
          options.onUnavailable?.(error.dependency);
        }
        throw error;
      }
    },
  };
}
