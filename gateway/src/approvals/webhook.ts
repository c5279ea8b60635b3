// Tells a chat tool about each new pending approval: a JSON POST whose `text`
// Slack, Mattermost and Rocket.Chat incoming webhooks show as a message
// (`approval` carries the details for anything that reads JSON). Delivery runs
// in the background with retries and backoff; the URL embeds a secret (Slack's
// are bearer URLs), so it is never logged, only the approval id and outcome.
import type { Logger } from "pino";
import type { Approval } from "../store/types.js";

export interface ApprovalWebhookOptions {
  url: string;
  logger: Logger;
  /** Where the console lives, for the link in the message. */
  publicUrl: string;
  /** Waits before each retry; the default gives four attempts over about 40 s. */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ApprovalWebhook {
  /** Starts delivery in the background; the promise (for tests) settles, never rejects, when it ends. */
  notify(approval: Approval): Promise<boolean>;
}

const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500;

/** Chat tools read <…> as links and mentions in `text`: policy reasons may quote what an agent sent. */
const escapeChat = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function webhookMessage(approval: Approval, publicUrl: string) {
  const what = approval.action ? `${approval.tool} ${approval.action}` : `a ${approval.tool} token`;
  const link = new URL(`/console/approvals#${approval.id}`, publicUrl).href;
  return {
    text:
      `Approval needed: agent ${approval.agentId} asks for ${escapeChat(what)} — ${escapeChat(approval.reason)}. ` +
      `Expires ${approval.expiresAt}. Decide: ${link}`,
    approval: {
      id: approval.id,
      agentId: approval.agentId,
      phase: approval.phase,
      tool: approval.tool,
      action: approval.action,
      scopes: approval.scopes,
      intent: approval.intent,
      reason: approval.reason,
      request: approval.request,
      expiresAt: approval.expiresAt,
      url: link,
    },
  };
}

export function createApprovalWebhook(options: ApprovalWebhookOptions): ApprovalWebhook {
  const delays = options.retryDelaysMs ?? [1_000, 5_000, 30_000];
  const timeoutMs = options.timeoutMs ?? 5_000;
  const doFetch = options.fetch ?? fetch;
  const log = options.logger.child({ component: "approval-webhook" });

  async function deliver(approval: Approval): Promise<boolean> {
    const body = JSON.stringify(webhookMessage(approval, options.publicUrl));
    for (let attempt = 1; attempt <= delays.length + 1; attempt++) {
      let outcome: string;
      try {
        const response = await doFetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          redirect: "error",
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel().catch(() => undefined);
        if (response.ok) {
          log.info({ approvalId: approval.id, attempt }, "approval webhook delivered");
          return true;
        }
        outcome = `status ${response.status}`;
        if (!RETRYABLE(response.status)) {
          log.warn({ approvalId: approval.id, attempt, outcome }, "approval webhook refused; not retrying");
          return false;
        }
      } catch (error) {
        // The error's message can quote the URL (fetch failed for …): log only its kind.
        outcome = error instanceof Error ? error.name : "error";
      }
      const delay = delays[attempt - 1];
      if (delay === undefined) break;
      log.warn({ approvalId: approval.id, attempt, outcome, retryInMs: delay }, "approval webhook failed");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    log.error({ approvalId: approval.id }, "approval webhook gave up");
    return false;
  }

  return {
    notify(approval) {
      return deliver(approval).catch(() => false);
    },
  };
}
