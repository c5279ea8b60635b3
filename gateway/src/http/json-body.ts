// Parsing a JSON request body into something every later stage can handle: the policy
// (OPA-WASM), the decision record and the upstream must all see the same document, so a
// document that one of them cannot represent is refused here, as the caller's mistake.
import { GatewayError } from "../errors.js";
import { DuplicateKeyError, parseStrictJson } from "./strict-json.js";

/**
 * Nesting deeper than this is refused. Real requests (OpenAI tool schemas included) stay far
 * below it; thousands of levels overflow recursive walkers (OPA's JSON reader among them).
 */
export const MAX_JSON_DEPTH = 128;

/** A UTF-16 surrogate without its partner: not a Unicode scalar value, so not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Strict JSON (no duplicate member names), then {@link checkJsonDocument}; every failure is a 400 invalid_request. */
export function parseJsonDocument(raw: Buffer | string): unknown {
  let value: unknown;
  try {
    value = parseStrictJson(typeof raw === "string" ? raw : raw.toString("utf8"));
  } catch (error) {
    if (error instanceof DuplicateKeyError) {
      throw new GatewayError(
        "invalid_request",
        `the request body is ambiguous JSON: ${error.message} (each name may appear once per object)`,
      );
    }
    throw new GatewayError(
      "invalid_request",
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  checkJsonDocument(value);
  return value;
}

/**
 * Refuses nesting deeper than {@link MAX_JSON_DEPTH} and strings (values or member names)
 * holding a lone surrogate ("\ud800" is valid JSON text but no valid Unicode). Iterative,
 * so the check itself cannot overflow the stack.
 */
export function checkJsonDocument(value: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop()!;
    if (typeof node === "string") {
      if (LONE_SURROGATE.test(node)) throw loneSurrogate();
      continue;
    }
    if (typeof node !== "object" || node === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new GatewayError(
        "invalid_request",
        `the request body nests deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    if (Array.isArray(node)) {
      for (const item of node) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(node)) {
      if (LONE_SURROGATE.test(key)) throw loneSurrogate();
      stack.push({ value: item, depth: depth + 1 });
    }
  }
}

function loneSurrogate(): GatewayError {
  return new GatewayError(
    "invalid_request",
    "the request body holds a lone UTF-16 surrogate escape (\\ud800-\\udfff without its pair)",
  );
}
