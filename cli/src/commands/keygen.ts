// agentgw keygen: a new Ed25519 key pair in a PKCS#8 PEM file only its owner can read.
import { chmod, writeFile } from "node:fs/promises";
import { generateKeyPair, toBase64Url } from "@agentgw/sdk";
import { keyPairToPem } from "@agentgw/sdk/node";
import type { Command } from "commander";
import { leaf } from "../command-kit.js";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { fields } from "../output.js";
import { DEFAULT_KEY_FILE, userPath } from "../settings.js";

export function registerKeygen(program: Command, io: CliIo): void {
  leaf(
    io,
    program,
    "keygen",
    "write a new agent key file (mode 0600) and print its kid and public key",
    (c) =>
      c
        .option("--key <file>", "where to write the private key", DEFAULT_KEY_FILE)
        .option("--force", "replace the file if it exists"),
    async ({ opts, out }) => {
      const file = opts.key as string;
      const path = userPath(io, file);
      const pair = await generateKeyPair();
      try {
        // "wx" never follows or overwrites what is there unless asked to.
        await writeFile(path, keyPairToPem(pair), { mode: 0o600, flag: opts.force ? "w" : "wx" });
        await chmod(path, 0o600);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EEXIST") throw new UsageError(`${file} exists; pass --force to replace it`);
        throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
      }
      const publicKey = toBase64Url(pair.publicKey);
      out.result({ keyFile: path, kid: pair.kid, publicKey }, (r) =>
        [
          fields([
            ["key file", r.keyFile],
            ["kid", r.kid],
            ["publicKey", r.publicKey],
          ]),
          "",
          "Register it (admin):",
          `  agentgw agents register --name NAME --public-key ${r.publicKey} --scopes openai:chat`,
        ].join("\n"),
      );
    },
  );
}
