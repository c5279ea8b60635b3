// RFC 9421 §4: the Signature-Input and Signature fields, both RFC 8941/9651 Dictionaries,
// parsed and serialized only through the structured-headers library.
import {
  type BareItem,
  type Dictionary,
  type InnerList,
  type Item,
  parseDictionary,
  serializeDictionary,
  serializeInnerList,
} from "structured-headers";
import { type ComponentIdentifier, isInnerList } from "./components.js";
import { SignatureFormatError } from "./errors.js";

/** One Signature-Input member: covered components and signature parameters, in order. */
export interface SignatureInput {
  components: readonly ComponentIdentifier[];
  params: ReadonlyMap<string, BareItem>;
}

/** The §2.3 parameters with their types checked; absent ones are undefined. */
export interface SignatureParameters {
  created?: number;
  expires?: number;
  nonce?: string;
  alg?: string;
  keyid?: string;
  tag?: string;
}

const INTEGER_PARAMS = new Set(["created", "expires"]);
const STRING_PARAMS = new Set(["nonce", "alg", "keyid", "tag"]);

function toInnerList(input: SignatureInput): InnerList {
  return [input.components.map((c): Item => [c.name, new Map(c.params)]), new Map(input.params)];
}

/** The value of the `@signature-params` line, identical to the Signature-Input member value. */
export function serializeSignatureParams(input: SignatureInput): string {
  return serializeInnerList(toInnerList(input));
}

export function serializeSignatureInputField(label: string, input: SignatureInput): string {
  return serializeDictionary(new Map([[label, toInnerList(input)]]));
}

export function serializeSignatureField(label: string, signature: Uint8Array): string {
  return serializeDictionary(new Map([[label, [signature as BufferSource, new Map()]]]));
}

function parseDictionaryField(value: string, field: string): Dictionary {
  try {
    return parseDictionary(value);
  } catch {
    throw new SignatureFormatError(`${field} is not a valid structured-field dictionary`);
  }
}

/** Every member of a Signature-Input field, shape-checked (§4.1, §2.3); throws when malformed. */
export function parseSignatureInputField(value: string): Map<string, SignatureInput> {
  const out = new Map<string, SignatureInput>();
  for (const [label, member] of parseDictionaryField(value, "Signature-Input")) {
    if (!isInnerList(member)) {
      throw new SignatureFormatError(`Signature-Input member "${label}" is not an inner list`);
    }
    const [items, params] = member;
    const components = items.map(([name, componentParams]): ComponentIdentifier => {
      if (typeof name !== "string") {
        throw new SignatureFormatError(
          `Signature-Input member "${label}" lists a component that is not a string`,
        );
      }
      return { name, params: componentParams };
    });
    for (const [name, paramValue] of params) {
      if (INTEGER_PARAMS.has(name) && !Number.isInteger(paramValue)) {
        throw new SignatureFormatError(`signature parameter "${name}" must be an integer`);
      }
      if (STRING_PARAMS.has(name) && typeof paramValue !== "string") {
        throw new SignatureFormatError(`signature parameter "${name}" must be a string`);
      }
    }
    out.set(label, { components, params });
  }
  return out;
}

/** Every member of a Signature field as raw signature bytes (§4.2); throws when malformed. */
export function parseSignatureField(value: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [label, member] of parseDictionaryField(value, "Signature")) {
    if (isInnerList(member) || !(member[0] instanceof ArrayBuffer)) {
      throw new SignatureFormatError(`Signature member "${label}" is not a byte sequence`);
    }
    out.set(label, new Uint8Array(member[0]));
  }
  return out;
}

/** Typed view of the parameters; call after {@link parseSignatureInputField} checked them. */
export function signatureParameters(input: SignatureInput): SignatureParameters {
  const out: SignatureParameters = {};
  for (const [name, value] of input.params) {
    if ((name === "created" || name === "expires") && typeof value === "number") out[name] = value;
    if (
      (name === "nonce" || name === "alg" || name === "keyid" || name === "tag") &&
      typeof value === "string"
    ) {
      out[name] = value;
    }
  }
  return out;
}
