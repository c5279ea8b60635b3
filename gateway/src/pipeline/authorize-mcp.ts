// MCP requests: whatever names a tool, prompt or resource is decided by the policy. tools/call, prompts/get
// and resources/read are decided like any tool call (tool `mcp.{name}`, action `mcpAction(kind, name)`,
// request.body the call's arguments; recorded; approvals bound to what the call does, not its JSON-RPC id).
// completion/complete and resources/(un)subscribe need only what a list would show. Lists are filtered:
// each item is shown only if the policy, asked with phase "list", would allow it to this agent, and one
// decision record per list answer names what was hidden. Other messages (initialize, notifications,
// pings) need only the token.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import { type McpItemKind, mcpAction } from "../mcp/mcp-request.js";
import { canonicalJson } from "../mcp/tool-digest.js";
import { buildPolicyInput, type PolicyInputParts } from "../policy/build-input.js";
import type { Decision } from "../policy/types.js";
import { type AuthorizeDeps, askPolicy } from "./authorize.js";

export function createAuthorizeMcp(deps: AuthorizeDeps): RequestHandler {
  return async function authorizeMcp(req: Request, res: Response, next: NextFunction) {
    try {
      const mcp = res.locals.mcp!;
      const token = res.locals.token!;
      const common = {
        tool: res.locals.toolCall!.tool.name,
        scopes: [...token.scopes],
        intent: token.claims.intent ?? null,
        path: "/",
        query: "",
      };
      /** The list-phase question: may this agent see the item (asked with a call-shaped input). */
      const askList = (action: string, body: unknown): Decision => {
        const parts: PolicyInputParts = { ...common, phase: "call", action, body };
        return deps.policy.decide({ ...buildPolicyInput(req, res, parts, deps.nowMs()), phase: "list" });
      };
      const target = mcp.target;
      if (target?.decide === "call") {
        // Bound to what the call does: the method, the item and its arguments (never the JSON-RPC id).
        const boundBody = Buffer.from(canonicalJson([mcp.method, target.kind, target.name, target.body]));
        const parts = { ...common, phase: "call" as const, action: mcpAction(target.kind, target.name) };
        await askPolicy(req, res, deps, { ...parts, body: target.body }, boundBody);
      } else if (target?.decide === "see") {
        const action = mcpAction(target.kind, target.name);
        const startedAt = process.hrtime.bigint();
        const decision = askList(action, target.body);
        await recordList(req, res, deps, common, action, target.body, decision, startedAt);
        if (!decision.allow) {
          const reasons = decision.reasons.length ? decision.reasons : ["the policy does not show it"];
          throw new GatewayError("policy_denied", reasons.join("; "), { extensions: { reasons } });
        }
      }
      const hidden: HiddenItem[] = [];
      mcp.listAllows = (kind, name) => {
        const decision = askList(mcpAction(kind, name), { kind, name });
        if (!decision.allow) hidden.push({ kind, name, reasons: decision.reasons });
        return decision.allow;
      };
      mcp.recordList = async (shown, changed) => {
        const startedAt = process.hrtime.bigint();
        const all = [...changed.map(changedItem), ...hidden];
        const decision: Decision = {
          allow: true,
          reasons: all.map((h) => `hidden ${h.kind} ${h.name}: ${h.reasons.join("; ") || "not allowed"}`),
          obligations: {},
        };
        const body = { shown, hidden: all };
        await recordList(req, res, deps, common, mcp.method ?? "list", body, decision, startedAt);
      };
      next();
    } catch (error) {
      next(error);
    }
  };
}

interface HiddenItem {
  kind: McpItemKind;
  name: string;
  reasons: string[];
}

function changedItem(name: string): HiddenItem {
  return { kind: "tool", name, reasons: ["its definition changed upstream; an admin must accept it"] };
}

/** One list-phase decision record: what a list answer hid, or whether an item may be seen. */
async function recordList(
  req: Request,
  res: Response,
  deps: AuthorizeDeps,
  common: Omit<PolicyInputParts, "phase" | "action" | "body">,
  action: string,
  body: unknown,
  decision: Decision,
  startedAt: bigint,
): Promise<void> {
  const input = buildPolicyInput(req, res, { ...common, phase: "call", action, body }, deps.nowMs());
  const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  await deps.recorder.record(res, { ...input, phase: "list" }, decision, durationMs);
}
