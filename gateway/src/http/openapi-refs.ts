type Json = null | boolean | number | string | Json[] | { [member: string]: Json };

/**
 * zod's toJSONSchema gives every named schema (`.meta({id})`) as `$defs` inside the one schema it
 * converted, with `$ref: "#/$defs/Name"`. Inside an OpenAPI document such a reference points at
 * the document root, where there is no `$defs`, so no tool can resolve it. This moves every
 * definition to `components.schemas` (once; the same name with other content is an error) and
 * points the references there. Without `$defs` in the input it changes nothing.
 */
export function hoistSchemaDefs<T extends object>(document: T): T {
  const schemas: Record<string, Json> = {};
  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, Json> = {};
    for (const [member, value] of Object.entries(node)) {
      if (member === "$schema") continue; // the document's dialect already says 2020-12
      if (member === "$defs" && value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const [name, definition] of Object.entries(value)) {
          const hoisted = visit(definition);
          const seen = schemas[name];
          if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(hoisted)) {
            throw new Error(`two different schemas are named ${name}; give one another meta id`);
          }
          schemas[name] = hoisted;
        }
        continue;
      }
      out[member] =
        member === "$ref" && typeof value === "string" && value.startsWith("#/$defs/")
          ? `#/components/schemas/${value.slice("#/$defs/".length)}`
          : visit(value);
    }
    return out;
  };
  const result = visit(document as unknown as Json) as Record<string, Json> & {
    components?: Record<string, Json>;
  };
  if (Object.keys(schemas).length > 0) {
    const existing = (result.components?.schemas ?? {}) as Record<string, Json>;
    result.components = { ...result.components, schemas: { ...existing, ...sortedByName(schemas) } };
  }
  return result as unknown as T;
}

function sortedByName(record: Record<string, Json>): Record<string, Json> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
