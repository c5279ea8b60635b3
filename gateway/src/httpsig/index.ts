export * from "./key-objects.js";
export * from "./nonce-cache.js";
export * from "./profile.js";
export * from "./verifier.js";
export * from "./verify-core.js";
