// The official Gmail client (@googleapis/gmail, installed by the application) calling through the gateway:
//   import { createGmailClient } from "@agentgw/sdk/gmail";
//   const gmail = await createGmailClient(gw);
//   await gmail.users.messages.list({ userId: "me" });
// It is the client's one documented option, `fetchImplementation: gw.fetchFor("gmail")`: the client keeps
// calling https://gmail.googleapis.com (it treats `rootUrl` as an origin and would drop a path such as
// /v1/tools/gmail), and the tool fetch maps those requests — media uploads to /upload/gmail/v1/… included —
// onto the gateway, with the tool token and the request signature.
import type { gmail_v1 } from "@googleapis/gmail";
import type { AgentGateway } from "./client.js";
import type { ToolFetchOptions } from "./tool-fetch.js";

export async function createGmailClient(
  gw: AgentGateway,
  options: ToolFetchOptions = {},
): Promise<gmail_v1.Gmail> {
  let gmail: typeof import("@googleapis/gmail").gmail;
  try {
    ({ gmail } = await import("@googleapis/gmail"));
  } catch (error) {
    throw new Error("createGmailClient needs the official client: npm install @googleapis/gmail", {
      cause: error,
    });
  }
  return gmail({ version: "v1", fetchImplementation: gw.fetchFor("gmail", options) });
}
