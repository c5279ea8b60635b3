export * from "./encoding.js";
export * from "./keys.js";
