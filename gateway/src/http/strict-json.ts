// JSON that means one thing. JSON.parse keeps the last of two equal member names, while an upstream may
// keep the first (or reject the document): with `{"model":"allowed","model":"forbidden"}` a policy would
// judge one request and the upstream receive another. Bodies a policy judges are parsed here, and a
// duplicate member name (compared after unescaping, so "a" and "\u0061" are the same) is refused.

export class DuplicateKeyError extends SyntaxError {
  override readonly name = "DuplicateKeyError";
  constructor(readonly key: string) {
    super(`duplicate member name ${JSON.stringify(key.slice(0, 64))}`);
  }
}

/** JSON.parse, plus a refusal (DuplicateKeyError) of any object with two members of the same name. */
export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) throw new DuplicateKeyError(duplicate);
  return value;
}

interface Frame {
  keys: Set<string> | null; // null for arrays
  expectKey: boolean;
}

/**
 * The first duplicate member name in `text`, which must already be valid JSON. Iterative (an explicit
 * stack), so nesting depth cannot overflow the call stack.
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) stack.push({ keys: new Set(), expectKey: true });
    else if (c === 0x5b /* [ */) stack.push({ keys: null, expectKey: false });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
    } else if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (escaped) escaped = false;
        else if (d === 0x5c /* \ */) escaped = true;
        else if (d === 0x22) break;
      }
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const raw = text.slice(start, i + 1);
        const key = raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
    }
  }
  return undefined;
}
