// Runs every fake until interrupted and prints the gateway environment that points at them:
//   node --import tsx test/fakes/serve.ts
// Each line is `NAME=value`, so the output can be sourced or copied into a gateway's environment.
// The values include the fakes' (made-up) credentials: that is what the gateway needs to call them.
import { startAllFakes } from "./all-fakes.js";

const fakes = await startAllFakes();
for (const [name, value] of Object.entries(fakes.env)) console.log(`${name}=${value}`);
console.error(`website: ${fakes.website.url}  (Ctrl-C to stop)`);

const stop = (): void => {
  fakes.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
