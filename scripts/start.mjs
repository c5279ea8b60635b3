#!/usr/bin/env node
// `npm start` runs this after the build: the gateway in dev mode, with any extra arguments passed on.
//   npm start                 the gateway alone (tools need real credentials)
//   npm start -- --fakes      the gateway plus local fake OpenAI, Gmail, SerpAPI and a website
//                             (test/fakes, real wire formats) wired in as its upstreams, so every tool and
//                             every call-time policy can be tried without a single real credential.
// With --fakes the data dir defaults to ./data/fakes, so the fakes' made-up credentials never become
// versions of the credentials a real `npm start` keeps in ./data.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const fakesWanted = args.includes("--fakes");
const gatewayArgs = ["--dev", ...args.filter((a) => a !== "--fakes" && a !== "--dev")];

let fakes;
const env = { ...process.env };
if (fakesWanted) {
  // The fakes are TypeScript in the test workspace; this script runs under tsx (see package.json).
  const { startAllFakes } = await import(join(root, "test/fakes/all-fakes.ts"));
  // Fixed made-up credentials: a restart finds the same ones stored, rather than a new version each time.
  fakes = await startAllFakes({
    openai: { apiKey: "sk-fake-dev-000000000000000000000000" },
    serpapi: { apiKey: "fake-dev-serpapi-key-0000000000000000" },
    gmail: {
      clientId: "fake-dev.apps.googleusercontent.com",
      clientSecret: "GOCSPX-fake-dev-client-secret",
      refreshToken: "1//fake-dev-refresh-token",
    },
  });
  const { AGENTGW_MASTER_KEY: _devModeMakesItsOwn, ...toolEnv } = fakes.env;
  Object.assign(env, toolEnv);
  env.AGENTGW_DATA_DIR ??= join(root, "data", "fakes");
  process.stderr.write(
    [
      "",
      "  Local fake upstreams (made-up credentials, nothing leaves this machine):",
      `    openai   ${fakes.openai.url}`,
      `    gmail    ${fakes.gmail.url}  (mailbox ${fakes.gmail.emailAddress}, OAuth at ${fakes.gmail.tokenUrl})`,
      `    serpapi  ${fakes.serpapi.url}`,
      `    http     ${fakes.website.url}  (the only host the http tool may reach)`,
      "",
    ].join("\n"),
  );
}

const gateway = spawn(process.execPath, [join(root, "gateway/dist/main.js"), ...gatewayArgs], {
  cwd: root,
  env,
  stdio: "inherit",
});
let exiting = false;
const forward = (signal) => {
  if (!exiting) gateway.kill(signal);
};
process.on("SIGINT", () => forward("SIGINT"));
process.on("SIGTERM", () => forward("SIGTERM"));
gateway.on("exit", async (code, signal) => {
  exiting = true;
  await fakes?.close().catch(() => {});
  process.exit(code ?? (signal ? 1 : 0));
});
