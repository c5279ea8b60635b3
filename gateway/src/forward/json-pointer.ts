// RFC 6901 JSON pointers, as obligations use them to name parts of a response.

/** Parses a pointer into its reference tokens; throws a RangeError for a string that is not one. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new RangeError(`not a JSON pointer: ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split("/")
    .map((token) => {
      if (/~(?![01])/.test(token))
        throw new RangeError(`bad escape in JSON pointer: ${JSON.stringify(pointer)}`);
      // §4: ~1 first, then ~0, so "~01" becomes "~1" and not "/".
      return token.replaceAll("~1", "/").replaceAll("~0", "~");
    });
}

/** §4: an array index is "0" or digits without a leading zero; "-" (past the end) names nothing here. */
function arrayIndex(token: string, length: number): number | undefined {
  if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
  const index = Number(token);
  return index < length ? index : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The container holding the target and the target's key, or undefined when the pointer names nothing. */
function locate(
  document: unknown,
  tokens: readonly string[],
): { parent: Record<string, unknown> | unknown[]; key: string | number } | undefined {
  let node = document;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i]!;
    if (Array.isArray(node)) {
      const index = arrayIndex(token, node.length);
      if (index === undefined) return undefined;
      node = node[index];
    } else if (isObject(node) && Object.hasOwn(node, token)) {
      node = node[token];
    } else {
      return undefined;
    }
  }
  const last = tokens.at(-1)!;
  if (Array.isArray(node)) {
    const index = arrayIndex(last, node.length);
    return index === undefined ? undefined : { parent: node, key: index };
  }
  if (isObject(node) && Object.hasOwn(node, last)) return { parent: node, key: last };
  return undefined;
}

/** What a change returns to delete the value instead of replacing it. */
export const REMOVE: unique symbol = Symbol("remove");

/**
 * Applies `change` to the value the pointer names, in place. `change` returns the new value, or `REMOVE` to
 * delete an object member (an array element becomes null instead, so later indices keep their meaning).
 * Returns the document (a new one only when the pointer is the root). A pointer naming nothing changes nothing.
 */
export function updateAt(
  document: unknown,
  tokens: readonly string[],
  change: (value: unknown) => unknown,
): unknown {
  if (tokens.length === 0) {
    const next = change(document);
    return next === REMOVE ? null : next;
  }
  const found = locate(document, tokens);
  if (!found) return document;
  const { parent, key } = found;
  if (Array.isArray(parent)) {
    const next = change(parent[key as number]);
    parent[key as number] = next === REMOVE ? null : next;
  } else {
    const next = change(parent[key as string]);
    if (next === REMOVE) delete parent[key as string];
    else parent[key as string] = next;
  }
  return document;
}
