// Builtins the OPA WASM module leaves to its host and @open-policy-agent/opa-wasm
// 1.10 does not implement. OPA compiles time.clock/weekday/date/parse_rfc3339_ns
// as imports, so a policy using a time window would fail closed at evaluation
// without these. They follow OPA's Go semantics for the inputs our policies use:
// x is nanoseconds since the epoch, or [nanoseconds, IANA time zone].
//
// Host builtins must be synchronous, and JSON numbers cross the boundary as JS
// numbers: nanosecond values above 2^53 lose sub-microsecond precision, which a
// clock or calendar check never sees.

/** Builtins the opa-wasm 1.10 SDK implements in JavaScript itself. */
export const SDK_BUILTINS: readonly string[] = [
  "json.is_valid",
  "sprintf",
  "regex.split",
  "yaml.is_valid",
  "yaml.marshal",
  "yaml.unmarshal",
];

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws a RangeError for an unknown zone: the evaluation fails, and the decision with it (closed).
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: string;
}

/** The wall-clock time of OPA's `x` argument (ns, or [ns, zone]; zone "" or "UTC" is UTC, "Local" is the host's). */
function wallClock(x: unknown): WallClock {
  const [ns, zone] = Array.isArray(x) ? x : [x, "UTC"];
  if (typeof ns !== "number" || !Number.isFinite(ns)) throw new TypeError("time: expected nanoseconds");
  if (typeof zone !== "string") throw new TypeError("time: expected a time zone name");
  const timeZone =
    zone === "" ? "UTC" : zone === "Local" ? Intl.DateTimeFormat().resolvedOptions().timeZone : zone;
  const date = new Date(Math.floor(ns / 1e6));
  if (Number.isNaN(date.getTime())) throw new RangeError("time: out of range");
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const { year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0 } = parts;
  // The weekday of the zone's calendar date; Date.UTC only does calendar arithmetic here.
  const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()] ?? "";
  return { year, month, day, hour, minute, second, weekday };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseRfc3339Ns(value: unknown): number {
  if (typeof value !== "string") throw new TypeError("time.parse_rfc3339_ns: expected a string");
  const match = RFC3339.exec(value);
  const ms = match ? Date.parse(value) : Number.NaN;
  if (!match || Number.isNaN(ms)) throw new RangeError("time.parse_rfc3339_ns: not an RFC 3339 time");
  const fraction = (match[7] ?? ".").slice(1).padEnd(9, "0").slice(0, 9);
  // Date.parse keeps milliseconds; add back the sub-millisecond digits.
  return Math.floor(ms / 1000) * 1e9 + Number(fraction);
}

/** Host implementations handed to loadPolicy(); names are OPA builtin names. */
export const CUSTOM_BUILTINS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  "time.clock": (x) => {
    const { hour, minute, second } = wallClock(x);
    return [hour, minute, second];
  },
  "time.date": (x) => {
    const { year, month, day } = wallClock(x);
    return [year, month, day];
  },
  "time.weekday": (x) => wallClock(x).weekday,
  "time.parse_rfc3339_ns": parseRfc3339Ns,
};

/** Every builtin a compiled policy may import: the SDK's and ours. */
export const HOST_BUILTINS: ReadonlySet<string> = new Set([...SDK_BUILTINS, ...Object.keys(CUSTOM_BUILTINS)]);
