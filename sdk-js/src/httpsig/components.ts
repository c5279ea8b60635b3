// RFC 9421 §2: component identifiers and their canonical values.
import {
  type BareItem,
  type InnerList,
  type Item,
  parseDictionary,
  serializeInnerList,
  serializeItem,
} from "structured-headers";
import { SignatureFormatError } from "./errors.js";
import { fieldValue, type HttpRequestParts, normalizeAuthority } from "./message.js";

/** A component name ("@method", "content-digest") and its parameters, in received order. */
export interface ComponentIdentifier {
  name: string;
  params: ReadonlyMap<string, BareItem>;
}

export type ComponentInput = string | ComponentIdentifier;

export function component(name: string, params: Record<string, BareItem> = {}): ComponentIdentifier {
  return { name, params: new Map(Object.entries(params)) };
}

export function toComponentIdentifier(input: ComponentInput): ComponentIdentifier {
  return typeof input === "string" ? component(input) : input;
}

/** Printable ASCII but `"` and `\\`: an sf-string that serialises as itself between quotes. */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The identifier as it appears in a base line and in Signature-Input: `"name";param=…`. */
export function serializeComponentIdentifier(id: ComponentIdentifier): string {
  // Most components have no parameters and a plain name: written directly (a verifier serialises each
  // component twice per request), with exactly the library's output.
  if (id.params.size === 0 && PLAIN_STRING.test(id.name)) return `"${id.name}"`;
  return serializeItem(id.name, new Map(id.params));
}

/** Derived components this implementation can produce for a request (§2.2). */
export const DERIVED_COMPONENTS = [
  "@method",
  "@target-uri",
  "@authority",
  "@scheme",
  "@request-target",
  "@path",
  "@query",
] as const;

/** The canonical value of one covered component (§2.1, §2.2); throws when none exists. */
export function componentValue(request: HttpRequestParts, id: ComponentIdentifier): string {
  const value = id.name.startsWith("@") ? derivedValue(request, id) : headerFieldValue(request, id);
  if (/[^\x20-\x7e\t]/.test(value)) {
    // §2: values are ASCII and never contain a newline, or the base would be ambiguous.
    throw new SignatureFormatError(`component "${id.name}" has a value outside printable ASCII`);
  }
  return value;
}

function derivedValue(request: HttpRequestParts, id: ComponentIdentifier): string {
  if (id.params.size > 0) {
    throw new SignatureFormatError(`parameters on derived component "${id.name}" are not supported`);
  }
  const query = request.query === null ? "" : `?${request.query}`;
  switch (id.name) {
    case "@method":
      return request.method;
    case "@target-uri":
      return `${request.scheme}://${normalizeAuthority(request.authority, request.scheme)}${request.path}${query}`;
    case "@authority":
      return normalizeAuthority(request.authority, request.scheme);
    case "@scheme":
      return request.scheme.toLowerCase();
    case "@request-target":
      return `${request.path}${query}`;
    case "@path":
      return request.path === "" ? "/" : request.path;
    case "@query":
      // §2.2.7: the leading "?" is included, and an absent query signs as "?".
      return query === "" ? "?" : query;
    default:
      throw new SignatureFormatError(`derived component "${id.name}" is not supported`);
  }
}

function headerFieldValue(request: HttpRequestParts, id: ComponentIdentifier): string {
  if (id.name !== id.name.toLowerCase()) {
    throw new SignatureFormatError(`field component "${id.name}" must be lower-case`);
  }
  for (const param of id.params.keys()) {
    if (param !== "key") throw new SignatureFormatError(`component parameter "${param}" is not supported`);
  }
  const value = fieldValue(request.headers, id.name);
  if (value === undefined) throw new SignatureFormatError(`covered header "${id.name}" is missing`);
  const key = id.params.get("key");
  if (key === undefined) return value;
  // §2.1.2: one member of a Dictionary field, strictly re-serialized with its parameters.
  if (typeof key !== "string")
    throw new SignatureFormatError(`"key" parameter of "${id.name}" must be a string`);
  let member: Item | InnerList | undefined;
  try {
    member = parseDictionary(value).get(key);
  } catch {
    throw new SignatureFormatError(`covered header "${id.name}" is not a structured dictionary`);
  }
  if (member === undefined)
    throw new SignatureFormatError(`covered header "${id.name}" lacks the signed key`);
  return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
}

export function isInnerList(value: Item | InnerList): value is InnerList {
  return Array.isArray(value[0]);
}
