#!/usr/bin/env node
// Throwaway PostgreSQL and Redis servers for the tests: never a server started by hand.
//
//   node scripts/test-services.mjs -- <command…>
//     installs postgresql and redis-server from Debian's packages when missing (root only),
//     starts both on loopback on random ports in a temporary folder, runs the command with
//     AGENTGW_TEST_DATABASE_URL and AGENTGW_TEST_REDIS_URL set, stops both, exits with the
//     command's code.
//
// Tests import startPostgres / startRedis from here too: a test that stops or restarts a
// server (fault tests) starts its own, and a test file run alone (no variables set) starts
// what it needs and stops it afterwards.
import { execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

let aptUpdated = false;

function hasCommand(name) {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** The folder holding initdb/pg_ctl/postgres: Debian keeps them in /usr/lib/postgresql/<v>/bin. */
function postgresBinDir() {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], "bin");
  }
  if (hasCommand("initdb") && hasCommand("pg_ctl")) return "";
  return null;
}

function redisServerPath() {
  if (existsSync("/usr/bin/redis-server")) return "/usr/bin/redis-server";
  return hasCommand("redis-server") ? "redis-server" : null;
}

function aptInstall(packages) {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${packages.join(" and ")} missing and this is not root: install them (apt-get install -y ${packages.join(" ")})`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    aptUpdated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: "inherit", env });
}

/** Installs what is missing; returns the paths to use. */
export function ensureInstalled({ postgres = true, redis = true } = {}) {
  const missing = [];
  if (postgres && postgresBinDir() === null) missing.push("postgresql");
  if (redis && redisServerPath() === null) missing.push("redis-server");
  if (missing.length > 0) aptInstall(missing);
  return { pgBin: postgres ? postgresBinDir() : null, redisServer: redis ? redisServerPath() : null };
}

/** A free loopback port (the kernel picks it; the tiny race until the server binds is acceptable in tests). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function tempRoot(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

const PG_USER = "postgres";

/** Runs a PostgreSQL tool as the postgres user when we are root (PostgreSQL refuses to run as root). */
function pgTool(pgBin, tool, args, options = {}) {
  const path = pgBin ? join(pgBin, tool) : tool;
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ["runuser", ["-u", PG_USER, "--", path, ...args]] : [path, args];
  return execFileSync(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], ...options });
}

/** The same, without blocking this process's event loop (requests in flight keep going). */
function pgToolAsync(pgBin, tool, args) {
  const path = pgBin ? join(pgBin, tool) : tool;
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ["runuser", ["-u", PG_USER, "--", path, ...args]] : [path, args];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Starts a PostgreSQL cluster in a temporary folder on 127.0.0.1:<random port>.
 * Resolves to { url, port, dir, adminUrl, createDatabase(name), restart(), stop(), start() }.
 */
export async function startPostgres() {
  const { pgBin } = ensureInstalled({ postgres: true, redis: false });
  const dir = tempRoot("agentgw-pg-");
  const data = join(dir, "data");
  mkdirSync(data, { mode: 0o700 });
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", PG_USER]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", PG_USER]).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(data, uid, gid);
  }
  pgTool(pgBin, "initdb", ["-D", data, "-U", "agentgw", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    // Throwaway data: skip fsync for speed. A fast or immediate stop of the server process
    // still keeps every committed write (the OS has it), which is what the restart test needs.
    "-c fsync=off",
    "-c full_page_writes=off",
    "-c max_connections=200",
  ].join(" ");
  const log = join(dir, "postgres.log");
  const start = () =>
    pgTool(pgBin, "pg_ctl", ["-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"]);
  const stop = (mode = "fast") => {
    try {
      pgTool(pgBin, "pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
    } catch {
      // already stopped
    }
  };
  start();
  const adminUrl = `postgres://agentgw@127.0.0.1:${port}/postgres`;
  const url = `postgres://agentgw@127.0.0.1:${port}/agentgw`;
  /** Runs one statement on the server's maintenance database. */
  const psql = (sql) =>
    pgTool(pgBin, "psql", [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "agentgw",
      "-d",
      "postgres",
      "-qc",
      sql,
    ]);
  psql("CREATE DATABASE agentgw");
  return {
    url,
    adminUrl,
    port,
    dir,
    /** A fresh, empty database on the same server; resolves to its URL. */
    createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new RangeError(`bad database name ${name}`);
      psql(`CREATE DATABASE ${name}`);
      return `postgres://agentgw@127.0.0.1:${port}/${name}`;
    },
    start,
    restart(mode = "fast") {
      stop(mode);
      start();
    },
    /** Stops (`mode`) and starts again without blocking, so the caller's requests stay in flight. */
    async restartAsync(mode = "fast") {
      await pgToolAsync(pgBin, "pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]).catch(() => {});
      await pgToolAsync(pgBin, "pg_ctl", ["-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"]);
    },
    stop(mode = "fast") {
      stop(mode);
    },
    close() {
      stop("immediate");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts TCP connections on the port, or rejects after `timeoutMs`. */
async function waitForPort(port, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts redis-server on 127.0.0.1:<random port> with its folder in a temporary directory
 * (no persistence). Resolves to { url, port, stop(), start(), close() }; start() after
 * stop() brings it back on the same port (for fault tests).
 */
export async function startRedis() {
  const { redisServer } = ensureInstalled({ postgres: false, redis: true });
  const dir = tempRoot("agentgw-redis-");
  const port = await freePort();
  let child = null;
  const start = async () => {
    if (child) return;
    child = spawn(
      redisServer,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
      ],
      { stdio: "ignore" },
    );
    // Never what keeps a test process alive: its owner stops it (or kills it on exit).
    child.unref();
    const me = child;
    me.once("exit", () => {
      if (child === me) child = null;
    });
    await waitForPort(port);
  };
  const stop = async () => {
    const me = child;
    if (!me) return;
    child = null;
    await new Promise((resolve) => {
      me.once("exit", resolve);
      me.kill("SIGKILL");
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    /** For process "exit" handlers, which cannot wait. */
    closeSync() {
      child?.kill("SIGKILL");
      child = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let ownPostgres;
let ownRedis;

/** The PostgreSQL server for tests: the test command's, or one of this process's own. */
export async function testPostgresUrl() {
  if (process.env.AGENTGW_TEST_DATABASE_URL) return process.env.AGENTGW_TEST_DATABASE_URL;
  ownPostgres ??= startPostgres().then((server) => {
    process.once("exit", () => server.close());
    return server.url;
  });
  return ownPostgres;
}

/** A fresh, empty database on the tests' PostgreSQL server; resolves to its URL. */
export async function freshDatabaseUrl() {
  const { default: pg } = await import("pg");
  const url = new URL(await testPostgresUrl());
  const name = `t_${randomBytes(8).toString("hex")}`;
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(url), { pathname: "/postgres" }).href,
  });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.href;
}

/** The Redis server for tests (shared between tests: prefix keys per test). */
export async function testRedisUrl() {
  if (process.env.AGENTGW_TEST_REDIS_URL) return process.env.AGENTGW_TEST_REDIS_URL;
  ownRedis ??= startRedis().then((server) => {
    process.once("exit", () => server.closeSync());
    return server.url;
  });
  return ownRedis;
}

async function main(argv) {
  const sep = argv.indexOf("--");
  const command = sep >= 0 ? argv.slice(sep + 1) : [];
  if (command.length === 0) {
    process.stderr.write("usage: node scripts/test-services.mjs -- <command…>\n");
    process.exit(2);
  }
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  process.stderr.write(`test services: PostgreSQL ${pg.url}, Redis ${redis.url}\n`);
  const cleanup = async () => {
    pg.close();
    await redis.close();
  };
  const child = spawn(command[0], command.slice(1), {
    stdio: "inherit",
    env: { ...process.env, AGENTGW_TEST_DATABASE_URL: pg.url, AGENTGW_TEST_REDIS_URL: redis.url },
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) => child.once("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
  // Set before cleanup: the servers' children are unref'd, so waiting for one to exit can leave
  // the event loop empty and end this process early — it must still exit with the command's code.
  process.exitCode = code;
  await cleanup();
  process.exit(code);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`test services: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
