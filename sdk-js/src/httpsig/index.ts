// @agentgw/sdk/httpsig: the one RFC 9421 implementation shared by the SDK signer and the
// gateway verifier. Portable: structured-headers, WebCrypto and @noble/ed25519 only.
export * from "./components.js";
export * from "./content-digest.js";
export * from "./errors.js";
export * from "./message.js";
export * from "./sign.js";
export * from "./signature-base.js";
export * from "./signature-fields.js";
