// How the http tool puts a fetched body into its JSON answer: text as a string (decoded with the declared
// charset, UTF-8 by default), anything else as base64 with `bodyEncoding: "base64"`.

const TEXT_TYPES =
  /^(text\/|application\/([\w.+-]+\+)?(json|xml)\b|application\/(javascript|ecmascript|x-www-form-urlencoded)\b|image\/svg\+xml\b)/i;

export function decodeBody(
  bytes: Buffer,
  contentType: string | undefined,
): { body: string; bodyEncoding?: "base64" } {
  const type = contentType?.trim() ?? "";
  const charset = /;\s*charset="?([\w.:-]+)"?/i.exec(type)?.[1];
  if (type === "" || TEXT_TYPES.test(type)) {
    try {
      // fatal: a body that is not valid text in its charset goes out as base64 instead of mangled.
      // stream: a multi-byte character cut by truncation is left out instead of failing the decode.
      return { body: new TextDecoder(charset ?? "utf-8", { fatal: true }).decode(bytes, { stream: true }) };
    } catch {
      // Unknown charset or undecodable bytes: fall through to base64.
    }
  }
  return { body: bytes.toString("base64"), bodyEncoding: "base64" };
}
