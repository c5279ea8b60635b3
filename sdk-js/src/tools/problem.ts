// Telling the gateway's own refusals from the tool's answers: the gateway answers with
// application/problem+json carrying one of its codes; a tool's answer is passed on untouched.
import { type AgentGatewayError, fromProblem } from "../errors.js";

/**
 * The typed error when `response` is a gateway problem, else null. Reads the body only of a
 * problem+json answer; returns the response to use afterwards (the same one, or a copy whose body
 * can still be read).
 */
export async function readGatewayProblem(
  response: Response,
): Promise<{ error: AgentGatewayError | null; response: Response }> {
  const type = response.headers.get("content-type") ?? "";
  if (response.ok || !/^application\/problem\+json\b/i.test(type)) return { error: null, response };
  const text = await response.text();
  const copy = new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: null, response: copy };
  }
  const code = (body as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return { error: null, response: copy };
  return { error: fromProblem(response.status, body, response.headers), response: copy };
}

/**
 * For typed tool methods: passes a 2xx through, and turns any other answer into a typed error — the
 * gateway's problem as it is, a tool's own error (e.g. OpenAI's `{error: {message}}`) as
 * `unexpected_response` with the tool's body kept in `problem.tool`.
 */
export async function throwUnlessOk(response: Response): Promise<Response> {
  if (response.ok) return response;
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text becomes the detail
  }
  if (typeof (body as { code?: unknown } | null)?.code === "string") {
    throw fromProblem(response.status, body, response.headers);
  }
  throw fromProblem(
    response.status,
    {
      title: `the tool answered HTTP ${response.status}`,
      status: response.status,
      detail: toolErrorMessage(body) ?? `HTTP ${response.status}`,
      tool: body,
    },
    response.headers,
  );
}

/** The message of the usual error shapes: `{error: {message}}` (OpenAI, Google), `{error: "…"}` (SerpAPI), text. */
function toolErrorMessage(body: unknown): string | undefined {
  if (typeof body === "string") return body.slice(0, 500) || undefined;
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error === "string") return error;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : undefined;
}
