// Serves the fake MCP repository server (fake-mcp-repo.ts) for tests in other languages: prints its URL
// on stdout (one line), serves until stdin closes or the process is stopped.
import { startFakeMcpRepo } from "./fake-mcp-repo.js";

const repo = await startFakeMcpRepo();
process.stdout.write(`${repo.url}\n`);
const stop = async () => {
  await repo.close();
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
