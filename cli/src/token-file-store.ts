// Keeps `call`'s tool tokens between runs, so a session of `agentgw call …` asks for one token
// per tool and scope set instead of one per command. One file per key (tokens are bound to it,
// useless without it), mode 0600 in a 0700 folder, replaced atomically; expired entries pruned.
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StoredToolToken, ToolTokenStore } from "@agentgw/sdk";

type Entries = Record<string, StoredToolToken>;

export class FileTokenStore implements ToolTokenStore {
  readonly path: string;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(dir: string, kid: string, gatewayUrl: URL, now: () => number = Date.now) {
    this.path = join(dir, `tokens-${kid}.json`);
    // Tokens of one gateway are never offered to another.
    this.#prefix = `${gatewayUrl.origin}${gatewayUrl.pathname.replace(/\/+$/, "")} `;
    this.#now = now;
  }

  async load(key: string): Promise<StoredToolToken | undefined> {
    return (await this.#read())[this.#prefix + key];
  }

  async save(key: string, entry: StoredToolToken): Promise<void> {
    const entries = await this.#read();
    entries[this.#prefix + key] = entry;
    await this.#write(entries);
  }

  async delete(key: string): Promise<void> {
    const entries = await this.#read();
    if (!(this.#prefix + key in entries)) return;
    delete entries[this.#prefix + key];
    await this.#write(entries);
  }

  async #read(): Promise<Entries> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch {
      return {};
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Entries)
        : {};
    } catch {
      return {}; // a damaged cache is only a cache: start again
    }
  }

  async #write(entries: Entries): Promise<void> {
    const now = this.#now();
    const live = Object.fromEntries(Object.entries(entries).filter(([, e]) => e?.expiresAt > now));
    const dir = join(this.path, "..");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(live)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }
}
