// The agent API's types, taken from the OpenAPI document the gateway's own route schemas produce
// (src/generated/openapi.ts, regenerated with `npm run generate:types`), so they cannot drift.
import type { components, operations } from "./generated/openapi.js";

type Schemas = components["schemas"];
type JsonOf<T> = T extends { content: { "application/json": infer Body } } ? Body : never;

/** CONTRACT.md §1: an agent as the gateway returns it. */
export type Agent = Schemas["Agent"];
export type AgentKey = Schemas["AgentKey"];
/** GET /v1/whoami. */
export type WhoAmI = JsonOf<operations["whoami"]["responses"][200]>;
/** GET /v1/tools. */
export type ToolList = Schemas["ToolList"];
export type ToolInfo = ToolList["tools"][number];
export type ToolAction = ToolInfo["actions"][number];
/** POST /v1/tokens answer (201). */
export type ToolToken = Schemas["ToolToken"];
/** POST /v1/tokens body. */
export type ToolTokenRequest = NonNullable<
  operations["createToken"]["requestBody"]
>["content"]["application/json"];
/** RFC 9457 problem details as the gateway sends them. */
export type GatewayProblem = Schemas["Problem"];
/** An approval (GET /v1/approvals/{id}). */
export type Approval = Schemas["Approval"];
