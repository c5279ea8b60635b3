// What a command may touch of the outside world, passed in so tests run the whole program
// in-process with their own streams, environment and fetch.

export interface CliIo {
  /** Machine- or human-readable results. */
  stdout(text: string): void;
  /** Progress, warnings and refusals in human form. */
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdinIsTTY: boolean;
  readStdin(): Promise<string>;
  fetch: typeof fetch;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    fetch: globalThis.fetch,
  };
}
