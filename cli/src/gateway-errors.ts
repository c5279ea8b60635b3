// The SDK's typed errors and fetch failures, as the CLI's refusals.
import { AgentGatewayError } from "@agentgw/sdk";
import { unreachable } from "./admin-client.js";
import { RefusedError } from "./errors.js";

/** Runs agent-side work; a gateway refusal or an unreachable gateway becomes a RefusedError. */
export async function refusalsOf<T>(url: URL, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AgentGatewayError) throw new RefusedError(error.status, error.problem);
    if (error instanceof TypeError && error.message === "fetch failed") throw unreachable(url, error);
    throw error;
  }
}
