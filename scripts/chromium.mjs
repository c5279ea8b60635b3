// Debian's Chromium for the console's browser tests (test/e2e/console.test.ts), driven headless
// by playwright-core. Installed with apt-get when missing (as root, like the test services):
// never a browser build downloaded by Playwright itself.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** The Chromium executable: AGENTGW_CHROMIUM, a Debian install, or null. */
export function findChromium() {
  const configured = process.env.AGENTGW_CHROMIUM;
  if (configured) return existsSync(configured) ? configured : null;
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/** Finds Chromium, installing Debian's package first when it is missing and we may. */
export function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error("Chromium is missing: install Debian's chromium package (apt-get install chromium)");
  }
  console.log("[setup] installing Debian's chromium package (apt-get)...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", "chromium"],
  ]) {
    const run = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed`);
  }
  const installed = findChromium();
  if (!installed) throw new Error("apt-get installed chromium but no executable was found");
  return installed;
}
