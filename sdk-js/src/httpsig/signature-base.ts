// RFC 9421 §2.5: the signature base, one line per covered component in order, then the
// `@signature-params` line, joined with LF and without a trailing newline.
import { componentValue, serializeComponentIdentifier } from "./components.js";
import { SignatureFormatError } from "./errors.js";
import type { HttpRequestParts } from "./message.js";
import { type SignatureInput, serializeSignatureParams } from "./signature-fields.js";

export function buildSignatureBase(request: HttpRequestParts, input: SignatureInput): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const id of input.components) {
    if (id.name === "@signature-params") {
      throw new SignatureFormatError('"@signature-params" must not be a covered component');
    }
    const serialized = serializeComponentIdentifier(id);
    // §2.5 step 2.1: an identifier may appear only once. Parameter order is kept for the line
    // but does not make two identifiers different, so compare a sorted form (without
    // parameters, the line's form is that form: no second serialisation per component).
    const identity =
      id.params.size === 0
        ? serialized
        : serializeComponentIdentifier({
            name: id.name,
            params: new Map([...id.params].sort(([a], [b]) => (a < b ? -1 : 1))),
          });
    if (seen.has(identity)) throw new SignatureFormatError(`component ${serialized} is covered twice`);
    seen.add(identity);
    lines.push(`${serialized}: ${componentValue(request, id)}`);
  }
  lines.push(`"@signature-params": ${serializeSignatureParams(input)}`);
  return lines.join("\n");
}
