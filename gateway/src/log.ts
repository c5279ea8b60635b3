import { type Logger, destination as logDestination, pino } from "pino";

export type { Logger };

/**
 * Paths pino blanks before a line is written. Upstream secrets never reach a
 * logger call in the first place; this is the second line of defence for
 * credentials that arrive in request headers.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers.signature",
  "req.headers['proxy-authorization']",
  // A bearer too: with the owning agent's key it continues that agent's MCP session.
  "req.headers['mcp-session-id']",
  "headers.authorization",
  "headers.cookie",
  "headers['mcp-session-id']",
  "*.apiKey",
  "*.api_key",
  "*.access_token",
  "*.refresh_token",
  "*.client_secret",
  "*.privateJwk",
  "*.d",
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "agentgw" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    // Stdout through an asynchronous sonic-boom: a log line never blocks a request on a write(2).
    // main.ts flushes it before exiting; a hard kill can lose the lines not yet written.
    destination ?? logDestination({ dest: 1, sync: false }),
  );
}
