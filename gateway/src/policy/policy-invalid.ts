import { GatewayError } from "../errors.js";
import type { PolicyProblem } from "./types.js";

/** The error a refused policy produces: 422 on the admin reload route, with every problem listed. */
export function policyInvalid(detail: string, problems: PolicyProblem[]): GatewayError {
  return new GatewayError("policy_invalid", detail, {
    extensions: { errors: problems.length > 0 ? problems : [{ message: detail }] },
  });
}
