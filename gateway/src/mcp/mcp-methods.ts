// The MCP methods an agent may send through the gateway, and what each names. Anything that names a tool,
// prompt or resource is decided by the policy; a method the gateway does not know is refused, never
// forwarded blindly (it might name something no policy was asked about, e.g. experimental tasks/result).
import { GatewayError } from "../errors.js";
import { MCP_TOOL_NAME, type McpTarget } from "./mcp-request.js";

/** Client requests of MCP 2025-06-18, which the gateway understands. */
const REQUESTS = new Set([
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
]);

/** Client notifications of MCP 2025-06-18; none names a tool, prompt or resource. */
const NOTIFICATIONS = new Set([
  "notifications/initialized",
  "notifications/cancelled",
  "notifications/progress",
  "notifications/roots/list_changed",
]);

/** Refuses a method the gateway does not pass (JSON-RPC "method not found" for requests). */
export function checkMethod(method: string, isNotification: boolean): void {
  const known = isNotification ? NOTIFICATIONS.has(method) : REQUESTS.has(method);
  if (!known)
    throw new GatewayError(
      "invalid_request",
      `the gateway does not pass MCP ${isNotification ? "notification" : "method"} ${JSON.stringify(method.slice(0, 64))}`,
      { extensions: { jsonRpcCode: -32601 } },
    );
}

/** What a request names (null for methods that name nothing); refuses malformed params. */
export function targetOf(method: string, rawParams: unknown): McpTarget | null {
  const params = (typeof rawParams === "object" && rawParams !== null ? rawParams : {}) as Record<
    string,
    unknown
  >;
  switch (method) {
    case "tools/call": {
      const name = requireString(params.name, "tools/call needs params.name");
      if (!MCP_TOOL_NAME.test(name))
        throw invalidParams("tools/call params.name is not a valid MCP tool name");
      return { kind: "tool", name, decide: "call", body: argumentsOf(params.arguments, method) };
    }
    case "prompts/get":
      return {
        kind: "prompt",
        name: requireString(params.name, "prompts/get needs params.name"),
        decide: "call",
        body: argumentsOf(params.arguments, method),
      };
    case "resources/read": {
      const uri = normalizedUri(requireString(params.uri, "resources/read needs params.uri"));
      return { kind: "resource", name: uri, decide: "call", body: { uri } };
    }
    case "resources/subscribe":
    case "resources/unsubscribe": {
      const uri = normalizedUri(requireString(params.uri, `${method} needs params.uri`));
      return { kind: "resource", name: uri, decide: "see", body: { kind: "resource", name: uri } };
    }
    case "completion/complete": {
      // A completion's reference names a prompt or a resource template: the agent must be able to see it.
      const ref = (typeof params.ref === "object" && params.ref !== null ? params.ref : {}) as Record<
        string,
        unknown
      >;
      if (ref.type === "ref/prompt") {
        const name = requireString(ref.name, "completion/complete needs params.ref.name");
        return { kind: "prompt", name, decide: "see", body: { kind: "prompt", name } };
      }
      if (ref.type === "ref/resource") {
        const uri = requireString(ref.uri, "completion/complete needs params.ref.uri");
        return { kind: "resource", name: uri, decide: "see", body: { kind: "resource", name: uri } };
      }
      throw invalidParams("completion/complete params.ref must be a ref/prompt or a ref/resource");
    }
    default:
      return null;
  }
}

/**
 * A resource URI exactly as URL parsing writes it back. Servers (the official SDKs among them) look a URI
 * up after parsing it, so "REPO://secrets/key" would read "repo://secrets/key" while the policy, asked
 * about the text, saw another name: a URI that parsing changes is refused, and so is one spelling a letter
 * or digit percent-encoded (equal to the plain one), so the policy decides on the very name the server resolves.
 */
/** A percent-encoded letter, digit, "-", ".", "_" or "~": RFC 3986 (6.2.2.2) makes it equal to the character. */
const ENCODED_UNRESERVED = /%(3[0-9]|[46][1-9a-f]|[57][0-9a]|2d|2e|5f|7e)/i;

function normalizedUri(uri: string): string {
  let href: string;
  try {
    href = new URL(uri).href;
  } catch {
    throw invalidParams("a resource URI must be an absolute URI");
  }
  if (href !== uri || ENCODED_UNRESERVED.test(uri))
    throw invalidParams(
      `a resource URI must be sent in its normal form (${JSON.stringify(href.slice(0, 200))})`,
    );
  return uri;
}

function requireString(value: unknown, message: string): string {
  if (typeof value !== "string" || value === "") throw invalidParams(message);
  return value;
}

function argumentsOf(value: unknown, method: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalidParams(`${method} params.arguments must be an object`);
  return value as Record<string, unknown>;
}

function invalidParams(message: string): GatewayError {
  return new GatewayError("invalid_request", message, { extensions: { jsonRpcCode: -32602 } });
}
