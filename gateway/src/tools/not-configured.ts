import { GatewayError } from "../errors.js";

/** What a tool without credentials answers: the gateway runs, the tool is listed as unavailable. */
export function notConfigured(tool: string): GatewayError {
  return new GatewayError("upstream_unavailable", `the ${tool} tool is not configured on this gateway`);
}
