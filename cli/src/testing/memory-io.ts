// A CliIo that records what the program writes, with a fixed environment and a fetch the test
// controls, so commands run in-process.
import type { CliIo } from "../io.js";

export interface MemoryIo extends CliIo {
  out: string;
  err: string;
  requests: Request[];
}

export function memoryIo(
  env: Record<string, string> = {},
  answer: (request: Request) => Response | Promise<Response> = () => new Response(null, { status: 204 }),
  cwd = process.cwd(),
): MemoryIo {
  const io: MemoryIo = {
    out: "",
    err: "",
    requests: [],
    stdout: (text) => {
      io.out += text;
    },
    stderr: (text) => {
      io.err += text;
    },
    env,
    cwd,
    stdinIsTTY: true,
    readStdin: async () => "",
    fetch: async (input, init) => {
      const request = new Request(input as string | URL, init);
      io.requests.push(request.clone());
      return answer(request);
    },
  };
  return io;
}

export function problemResponse(status: number, code: string, extra: Record<string, unknown> = {}): Response {
  return new Response(
    JSON.stringify({ type: `about:blank`, title: code, status, detail: `${code} here`, code, ...extra }),
    {
      status,
      headers: { "content-type": "application/problem+json" },
    },
  );
}
