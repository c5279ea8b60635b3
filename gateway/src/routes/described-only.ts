// Endpoints mounted by hand (not through runRoute), described here so the OpenAPI
// document covers every endpoint the gateway serves.
import { z } from "zod";
import type { Route } from "../http/route.js";
import { TOOL_NAMES } from "../schemas/tokens.js";

const notMounted = async () => undefined;

/**
 * `{path}` stands for the rest of the URL after the tool, slashes included (an OpenAPI path
 * parameter cannot say so): the tool's own REST path, matched against the tool's actions.
 */
const toolCallParams = z.strictObject({
  // Enumerated here (not in token requests, whose types SDKs use): the tools this gateway serves.
  tool: z.string().meta({ enum: TOOL_NAMES }),
  path: z
    .string()
    .min(1)
    .meta({
      description:
        "The tool's own REST path after /v1/tools/{tool}/, slashes included (not percent-encoded); " +
        "it must be one of the tool's actions (GET /v1/tools lists them), otherwise 404 unknown_tool",
      examples: [
        "v1/chat/completions",
        "v1/responses",
        "v1/embeddings",
        "v1/models",
        "gmail/v1/users/me/messages/send",
        "gmail/v1/users/me/messages",
        "search.json",
        "fetch",
      ],
    }),
});

const TOOL_CALL_SUMMARY =
  "Call a tool through the gateway: the path after the tool mirrors the tool's own REST API. " +
  "Needs Authorization: Bearer <tool token>, covered by the signature.";
const toolCallResponses = {
  200: { description: "The tool's own response, forwarded (SSE streams pass through)" },
} as const;

export const DESCRIBED_ONLY_ROUTES: readonly Route[] = [
  {
    method: "get",
    path: "/v1/tools/{tool}/{path}",
    operationId: "callToolGet",
    summary: `${TOOL_CALL_SUMMARY} For the tool's GET actions (openai models, gmail list and get, serpapi search).`,
    tag: "tools",
    auth: "signed",
    params: toolCallParams,
    responses: toolCallResponses,
    forwardsUpstream: true,
    handle: notMounted,
  },
  {
    method: "post",
    path: "/v1/tools/{tool}/{path}",
    operationId: "callTool",
    summary: `${TOOL_CALL_SUMMARY} For the tool's POST actions, with the tool's own JSON request body.`,
    tag: "tools",
    auth: "signed",
    params: toolCallParams,
    body: z.record(z.string(), z.unknown()).meta({ description: "The tool's own JSON request body" }),
    responses: toolCallResponses,
    forwardsUpstream: true,
    handle: notMounted,
  },
  {
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    summary: "Prometheus metrics (text exposition format), every series prefixed agentgw_",
    tag: "operations",
    auth: "metrics",
    responses: { 200: { description: "Prometheus text exposition", contentType: "text/plain" } },
    handle: notMounted,
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This OpenAPI 3.1 document",
    tag: "operations",
    auth: "none",
    responses: { 200: { description: "OpenAPI 3.1 document" } },
    handle: notMounted,
  },
];
