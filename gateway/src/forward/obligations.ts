// Response obligations from the policy (docs/tools.md, "Obligations"), applied before an answer reaches the
// agent, in this order: `redact` (JSON pointers removed), `truncate` (strings/arrays at pointers shortened),
// `block_patterns` (matches in every string value replaced with "[blocked]").
import { GatewayError } from "../errors.js";
import type { Obligations } from "../policy/types.js";
import { parsePointer, REMOVE, updateAt } from "./json-pointer.js";

export const BLOCKED = "[blocked]";

export interface CompiledObligations {
  redact: string[][];
  truncate: Array<{ tokens: string[]; max: number }>;
  patterns: RegExp[];
}

/** A leading `(?i)` makes a pattern case-insensitive (Node 20's RegExp has no inline flags). */
function compilePattern(source: string): RegExp {
  const insensitive = source.startsWith("(?i)");
  return new RegExp(insensitive ? source.slice(4) : source, insensitive ? "gi" : "g");
}

/**
 * Compiles the response obligations; null when there is nothing to apply. An obligation the
 * gateway cannot honour fails the call (fail closed) rather than letting the answer through unfiltered.
 */
export function compileObligations(obligations: Obligations | undefined): CompiledObligations | null {
  if (!obligations) return null;
  // Decisions are shared and frozen per policy revision (policy/opa-wasm-policy.ts): compile each once.
  const known = compiledOnce.get(obligations);
  if (known !== undefined) return known;
  const compiled = compileNow(obligations);
  if (Object.isFrozen(obligations)) compiledOnce.set(obligations, compiled);
  return compiled;
}

const compiledOnce = new WeakMap<Obligations, CompiledObligations | null>();

function compileNow(obligations: Obligations): CompiledObligations | null {
  try {
    const redact = (obligations.redact ?? []).map(parsePointer);
    const truncate = Object.entries(obligations.truncate ?? {}).map(([pointer, max]) => {
      if (!Number.isInteger(max) || max < 0) throw new RangeError("truncate lengths must be integers >= 0");
      return { tokens: parsePointer(pointer), max };
    });
    const patterns = (obligations.block_patterns ?? []).map(compilePattern);
    if (redact.length === 0 && truncate.length === 0 && patterns.length === 0) return null;
    return { redact, truncate, patterns };
  } catch (error) {
    throw new GatewayError("internal_error", "the policy's response obligations could not be applied", {
      cause: error,
    });
  }
}

/** Replaces every match of every pattern in one string. */
export function blockInText(text: string, patterns: readonly RegExp[]): string {
  let out = text;
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, BLOCKED);
  }
  return out;
}

function blockInValue(value: unknown, patterns: readonly RegExp[]): unknown {
  if (typeof value === "string") return blockInText(value, patterns);
  if (Array.isArray(value)) return value.map((item) => blockInValue(item, patterns));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = blockInValue(item, patterns);
    return out;
  }
  return value;
}

function shorten(value: unknown, max: number): unknown {
  // Code points, not UTF-16 units, so a surrogate pair is never split.
  if (typeof value === "string") return [...value].length > max ? [...value].slice(0, max).join("") : value;
  if (Array.isArray(value)) return value.length > max ? value.slice(0, max) : value;
  return value;
}

/** Applies the obligations to a parsed JSON document (changed in place where possible) and returns it. */
export function applyToJson(document: unknown, compiled: CompiledObligations): unknown {
  let out = document;
  for (const tokens of compiled.redact) out = updateAt(out, tokens, () => REMOVE);
  for (const { tokens, max } of compiled.truncate)
    out = updateAt(out, tokens, (value) => shorten(value, max));
  if (compiled.patterns.length > 0) out = blockInValue(out, compiled.patterns);
  return out;
}

/** True for JSON media types (application/json, application/problem+json, …). */
export function isJsonType(contentType: string | undefined): boolean {
  return /^application\/([\w.+-]+\+)?json\b/i.test(contentType?.trim() ?? "");
}

function isTextType(contentType: string | undefined): boolean {
  return /^text\//i.test(contentType?.trim() ?? "");
}

/**
 * Applies the obligations to a buffered body by its media type: JSON gets all three; other text gets
 * `block_patterns`; binary bodies pass unchanged. A body labelled JSON that does not parse is refused
 * (upstream_error) rather than passed through unfiltered.
 */
export function applyToBody(
  body: Buffer,
  contentType: string | undefined,
  compiled: CompiledObligations,
): Buffer {
  if (isJsonType(contentType)) {
    let document: unknown;
    try {
      document = JSON.parse(body.toString("utf8"));
    } catch {
      throw new GatewayError("upstream_error", "the upstream sent malformed JSON");
    }
    return Buffer.from(JSON.stringify(applyToJson(document, compiled)));
  }
  if (isTextType(contentType) && compiled.patterns.length > 0) {
    return Buffer.from(blockInText(body.toString("utf8"), compiled.patterns));
  }
  return body;
}

/**
 * Both sets of answer obligations at once, the stricter where they overlap: redactions and block patterns
 * of both, the shorter truncation of a pointer. Members about the call itself (rate_limit, credential, …)
 * are `first`'s, whose call it is.
 */
export function combineObligations(first: Obligations, more: Obligations): Obligations {
  const out: Obligations = { ...first };
  if (more.redact) out.redact = [...new Set([...(first.redact ?? []), ...more.redact])];
  if (more.block_patterns) {
    out.block_patterns = [...new Set([...(first.block_patterns ?? []), ...more.block_patterns])];
  }
  if (more.truncate) {
    const truncate = { ...first.truncate };
    for (const [pointer, max] of Object.entries(more.truncate)) {
      truncate[pointer] = Math.min(truncate[pointer] ?? max, max);
    }
    out.truncate = truncate;
  }
  return out;
}
