// Stage 7: hand the call to its connector and write the tool's answer back,
// streaming where the tool streams, cancelling upstream if the agent goes away.
import { pipeline } from "node:stream/promises";
import type { Request, Response } from "express";
import { GatewayError } from "../errors.js";
import { requestHeadersForUpstream } from "../forward/headers.js";
import { parseJsonDocument } from "../http/json-body.js";
import { traceparent } from "../http/request-context.js";
import type { Obligations } from "../policy/types.js";
import type { ToolCall, ToolConnector, ToolResponse } from "../tools/types.js";
import { timeStage } from "./locals.js";

export function buildToolCall(req: Request, res: Response): ToolCall {
  const resolved = res.locals.toolCall!;
  const raw = res.locals.rawBody;
  let json: unknown = null;
  if (raw && /json/i.test(req.get("content-type") ?? "")) json = parseJsonDocument(raw);
  return {
    tool: resolved.tool,
    action: resolved.action,
    method: req.method,
    path: resolved.path,
    query: resolved.query,
    headers: requestHeadersForUpstream(req.headers),
    body: raw,
    json,
    agentId: res.locals.agent!.id,
  };
}

export function connectorFor(connectors: ReadonlyMap<string, ToolConnector>, tool: string): ToolConnector {
  const connector = connectors.get(tool);
  if (!connector?.available()) {
    throw new GatewayError("upstream_unavailable", `the ${tool} tool is not configured on this gateway`);
  }
  return connector;
}

/** Forwards and writes the response; resolves once the agent has the whole answer (or left). */
export async function forwardCall(
  connector: ToolConnector,
  call: ToolCall,
  res: Response,
  obligations: Obligations,
): Promise<ToolResponse> {
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on("close", onClose);
  const startedAt = process.hrtime.bigint();
  try {
    const answer = await connector.forward(call, {
      requestId: res.locals.requestId,
      traceparent: traceparent(res.locals.trace),
      signal: abort.signal,
      obligations,
    });
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    if (answer.cached) res.setHeader("X-Agentgw-Cache", "hit");
    if (Buffer.isBuffer(answer.body)) {
      res.end(answer.body);
    } else {
      res.flushHeaders();
      // pipeline() gives back-pressure and destroys the upstream stream if the agent disconnects.
      await pipeline(answer.body, res).catch(() => abort.abort());
    }
    return answer;
  } finally {
    timeStage(res.locals, "upstream", startedAt);
    res.off("close", onClose);
  }
}
