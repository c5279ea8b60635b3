#!/usr/bin/env node
// agentgw: the installed command. The program itself is compiled into dist/ by the build,
// which `npm install` at the repo root runs (see the root package.json's prepare script).
try {
  await import("../dist/main.js");
} catch (error) {
  if (
    error?.code === "ERR_MODULE_NOT_FOUND" &&
    /dist[\\/]main\.js|@agentgw[\\/]sdk/.test(String(error.message))
  ) {
    process.stderr.write('agentgw is not built yet: run "npm run build" at the repo root\n');
    process.exit(2);
  }
  throw error;
}
