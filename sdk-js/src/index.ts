export * from "./axios.js";
export * from "./client.js";
export * from "./encoding.js";
export * from "./errors.js";
export * from "./httpsig/index.js";
export * from "./keys.js";
export * from "./signed-fetch.js";
