import type { RecordedRequest } from "./recorded-request.js";

/** Limits a misbehaviour to requests whose path starts with this prefix (default: every request). */
interface PathFilter {
  path?: string;
}

/** Answer the next `times` matching requests with `status` instead of serving them. */
export interface FailBehaviour extends PathFilter {
  /** How many requests fail before the fake serves normally again (default 1). */
  times?: number;
  status: number;
  /** Sent as the `Retry-After` header (seconds, or an HTTP date) when given. */
  retryAfter?: number | string;
  /** Overrides the fake's own error message in its usual error shape. */
  message?: string;
}

/** Never answer the next `times` matching requests (default: all of them until `reset()`). */
export interface HangBehaviour extends PathFilter {
  times?: number;
}

/**
 * Cut the connection part-way through the next `times` matching responses (default: all until `reset()`).
 * A streamed response is cut after `afterChunks` chunks (default 1); any other response after its head
 * and half of its body.
 */
export interface DropBehaviour extends PathFilter {
  times?: number;
  afterChunks?: number;
}

/** The scripted misbehaviour of a fake; each `behave()` call replaces the members it names. */
export interface Behaviour {
  fail?: FailBehaviour | undefined;
  /** Wait this long before answering each request; 0 or undefined turns it off. */
  delayMs?: number | undefined;
  hang?: HangBehaviour | true | undefined;
  drop?: DropBehaviour | true | undefined;
}

/** What the server should do to one request, decided once when it arrives. */
export interface Plan {
  delayMs: number;
  hang?: true;
  fail?: { status: number; retryAfter?: number | string | undefined; message?: string | undefined };
  dropAfterChunks?: number;
}

interface Counted<T> {
  spec: T;
  remaining: number;
}

function nonNegativeInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY) return value;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}

function matches(filter: PathFilter, request: RecordedRequest): boolean {
  return filter.path === undefined || request.path.startsWith(filter.path);
}

/** Holds the scripted misbehaviour and consumes it request by request. */
export class MisbehaviourScript {
  #fail: Counted<FailBehaviour> | undefined;
  #hang: Counted<HangBehaviour> | undefined;
  #drop: Counted<DropBehaviour> | undefined;
  #delayMs = 0;

  /** Validates and applies a behaviour; throws on nonsense so a test's mistake shows at once. */
  apply(behaviour: Behaviour): void {
    if ("fail" in behaviour) {
      const fail = behaviour.fail;
      if (fail === undefined) this.#fail = undefined;
      else {
        if (!Number.isInteger(fail.status) || fail.status < 400 || fail.status > 599) {
          throw new RangeError("fail.status must be an HTTP error status (400-599)");
        }
        this.#fail = { spec: fail, remaining: nonNegativeInteger(fail.times, "fail.times", 1) };
      }
    }
    if ("hang" in behaviour) {
      const hang = behaviour.hang === true ? {} : behaviour.hang;
      this.#hang =
        hang === undefined
          ? undefined
          : { spec: hang, remaining: nonNegativeInteger(hang.times, "hang.times", Number.POSITIVE_INFINITY) };
    }
    if ("drop" in behaviour) {
      const drop = behaviour.drop === true ? {} : behaviour.drop;
      if (drop !== undefined) nonNegativeInteger(drop.afterChunks, "drop.afterChunks", 1);
      this.#drop =
        drop === undefined
          ? undefined
          : { spec: drop, remaining: nonNegativeInteger(drop.times, "drop.times", Number.POSITIVE_INFINITY) };
    }
    if ("delayMs" in behaviour) {
      this.#delayMs = nonNegativeInteger(behaviour.delayMs, "delayMs", 0);
    }
  }

  clear(): void {
    this.#fail = undefined;
    this.#hang = undefined;
    this.#drop = undefined;
    this.#delayMs = 0;
  }

  /** Decides, and consumes, what happens to this request. Hanging wins over failing over dropping. */
  planFor(request: RecordedRequest): Plan {
    const plan: Plan = { delayMs: this.#delayMs };
    if (this.#take(this.#hang, request)) {
      plan.hang = true;
      return plan;
    }
    const fail = this.#fail;
    if (fail && this.#take(fail, request)) {
      plan.fail = { status: fail.spec.status, retryAfter: fail.spec.retryAfter, message: fail.spec.message };
      return plan;
    }
    const drop = this.#drop;
    if (drop && this.#take(drop, request)) plan.dropAfterChunks = drop.spec.afterChunks ?? 1;
    return plan;
  }

  #take(counted: Counted<PathFilter> | undefined, request: RecordedRequest): boolean {
    if (!counted || counted.remaining <= 0 || !matches(counted.spec, request)) return false;
    counted.remaining -= 1;
    return true;
  }
}
