#!/usr/bin/env node
// `npm test`'s reporter: runs `turbo run <tasks>` over every workspace, keeps the whole output
// (thousands of TAP lines) in a log file, and shows on the terminal one line per task as it
// starts, a heartbeat for long ones, every failure in full, a per-task table at the end, and —
// last, alone on its line, for machines — "N passed, N failed".
//
//   node scripts/test-report.mjs build typecheck lint test [--filter=…]
//   AGENTGW_TEST_VERBOSE=1   also stream the full output to the terminal
//   AGENTGW_TEST_LOG=path    where the full output goes (default .test-logs/npm-test.log)
//
// Counts come from each runner's own summary: node's test runner (# pass / # fail), pytest
// (N passed, N failed) and opa test (PASS: n/m, FAIL: n/m). A task that failed without such a
// count (a build, typecheck or lint error) counts as one failure.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by this wrapper around turbo, not inside a task
const verbose = /^(1|true|yes)$/i.test(process.env.AGENTGW_TEST_VERBOSE ?? "");
// biome-ignore lint/suspicious/noUndeclaredEnvVars: as above
const logPath = resolve(process.env.AGENTGW_TEST_LOG ?? join(ROOT, ".test-logs", "npm-test.log"));
const HEARTBEAT_MS = 30_000;

/** One turbo task's output, as it goes by. */
class Task {
  constructor(id) {
    this.id = id;
    this.lines = [];
    this.started = Date.now();
    this.reportedAt = this.started;
  }

  get counts() {
    return countTests(this.lines);
  }
}

/** Test counts from a runner's own summary lines; null when the output has none. */
export function countTests(lines) {
  let passed = null;
  let failed = null;
  for (const line of lines) {
    let m = /^# pass (\d+)$/.exec(line);
    if (m) passed = (passed ?? 0) + Number(m[1]);
    m = /^# fail (\d+)$/.exec(line);
    if (m) failed = (failed ?? 0) + Number(m[1]);
    // pytest: "3 failed, 177 passed, 2 skipped in 20.1s" / "180 passed in 16.6s"
    if (
      /^=*\s*(\d+ (passed|failed)(, )?)+.* in [\d.]+s/.test(line) ||
      /^\d+ (passed|failed).* in [\d.]+s/.test(line)
    ) {
      passed = (passed ?? 0) + Number(/(\d+) passed/.exec(line)?.[1] ?? 0);
      failed =
        (failed ?? 0) +
        Number(/(\d+) failed/.exec(line)?.[1] ?? 0) +
        Number(/(\d+) error/.exec(line)?.[1] ?? 0);
    }
    // opa test: "PASS: 118/120" and "FAIL: 2/120"
    m = /^PASS: (\d+)\/\d+$/.exec(line);
    if (m) passed = (passed ?? 0) + Number(m[1]);
    m = /^(FAIL|ERROR): (\d+)\/\d+$/.exec(line);
    if (m) failed = (failed ?? 0) + Number(m[2]);
  }
  return passed === null && failed === null ? null : { passed: passed ?? 0, failed: failed ?? 0 };
}

/** The failing tests of a TAP stream, each with its diagnostics; suites that only failed through a child are left out. */
export function tapFailures(lines) {
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!m) continue;
    const indent = m[1].length;
    const block = [lines[i].trimStart()];
    let j = i + 1;
    while (
      j < lines.length &&
      (lines[j].trim() === "" || lines[j].length - lines[j].trimStart().length > indent)
    ) {
      block.push(lines[j].slice(indent));
      j++;
    }
    if (!block.some((l) => /failureType: 'subtestsFailed'/.test(l))) blocks.push(block.join("\n"));
  }
  return blocks;
}

const seconds = (ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

function main(args) {
  mkdirSync(dirname(logPath), { recursive: true });
  const log = createWriteStream(logPath);
  const turbo = join(ROOT, "node_modules", "turbo", "bin", "turbo");
  const turboArgs = ["run", ...args, "--concurrency=1", "--continue", "--output-logs=full", "--summarize"];
  const say = (text) => process.stdout.write(`${text}\n`);
  say(`[test] turbo ${turboArgs.join(" ")}`);
  say(
    `[test] full output: ${relative(process.cwd(), logPath) || logPath}${verbose ? "" : " (AGENTGW_TEST_VERBOSE=1 streams it here)"}`,
  );

  const tasks = new Map();
  const loose = [];
  let current = null;
  let summaryFile = null;
  const child = spawn(process.execPath, [turbo, ...turboArgs], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });

  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  const heartbeat = setInterval(() => {
    if (!current || Date.now() - current.reportedAt < HEARTBEAT_MS) return;
    current.reportedAt = Date.now();
    const ok = current.lines.filter((l) => /^\s*ok \d+ /.test(l)).length;
    const bad = current.lines.filter((l) => /^\s*not ok \d+ /.test(l)).length;
    say(
      `    … ${current.id} running for ${seconds(Date.now() - current.started)}${ok + bad ? ` (${ok} ok, ${bad} not ok so far)` : ""}`,
    );
  }, 5_000);

  let pending = "";
  const onData = (chunk) => {
    log.write(chunk);
    if (verbose) process.stdout.write(chunk);
    pending += chunk.toString("utf8");
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    for (const raw of parts) onLine(raw.replace(/\r$/, ""));
  };
  const onLine = (line) => {
    const m = /^(@?[\w./-]+):([\w:-]+): ?(.*)$/.exec(line);
    if (!m) {
      const summary = /^Summary:\s+(\S+\.json)\s*$/.exec(line.trim());
      if (summary) summaryFile = summary[1];
      else loose.push(line);
      return;
    }
    const id = `${m[1]}#${m[2]}`;
    let task = tasks.get(id);
    if (!task) {
      if (current && !verbose) finishLine(current);
      task = new Task(id);
      tasks.set(id, task);
      current = task;
      if (!verbose) say(`▸ ${id}`);
    }
    task.lines.push(m[3]);
  };
  const finishLine = (task) => {
    const counts = task.counts;
    const failedHere =
      counts?.failed > 0 || task.lines.some((l) => /ERR!|command finished with error|exited \(\d+\)/.test(l));
    const what = counts ? `${counts.passed} passed, ${counts.failed} failed` : "done";
    say(`  ${failedHere ? "✗" : "✓"} ${task.id}: ${what} (${seconds(Date.now() - task.started)})`);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);

  child.on("close", (code) => {
    clearInterval(heartbeat);
    if (pending) onLine(pending);
    if (current && !verbose) finishLine(current);
    log.end();
    process.exitCode = report(tasks, loose, summaryFile, code ?? 1, say);
  });
}

function report(tasks, loose, summaryFile, turboCode, say) {
  // Exit codes and times per task from turbo's run summary; without it, from what was seen.
  const exits = new Map();
  try {
    const summary = JSON.parse(readFileSync(resolve(ROOT, summaryFile ?? ""), "utf8"));
    for (const t of summary.tasks ?? []) {
      exits.set(t.taskId, {
        exitCode: t.execution?.exitCode ?? null,
        ms: t.execution ? t.execution.endTime - t.execution.startTime : null,
        cached: t.cache?.status === "HIT",
      });
    }
  } catch {
    // no summary (turbo failed early): the table is built from the output alone
  }
  const rows = [];
  let passed = 0;
  let failed = 0;
  const failures = [];
  const ids = new Set([...exits.keys(), ...tasks.keys()]);
  for (const id of ids) {
    const task = tasks.get(id);
    const exit = exits.get(id);
    const counts = task?.counts ?? null;
    const exitCode = exit?.exitCode ?? (task ? null : null);
    const ran = exit ? exit.exitCode !== null : Boolean(task);
    const ok = ran && (exit ? exit.exitCode === 0 : true) && !(counts?.failed > 0);
    if (counts) {
      passed += counts.passed;
      failed += counts.failed;
    }
    if (!ok && !(counts?.failed > 0)) failed += 1;
    if (!ok && task) failures.push(task);
    rows.push([
      id,
      !ran ? "not run" : ok ? "ok" : "FAILED",
      counts ? String(counts.passed) : "-",
      counts ? String(counts.failed) : "-",
      exit?.cached ? "cached" : exit?.ms != null ? seconds(exit.ms) : "-",
      exitCode !== null && exitCode !== 0 ? `exit ${exitCode}` : "",
    ]);
  }

  for (const task of failures) {
    say("");
    say(`━━ ${task.id} failed ━━`);
    const blocks = tapFailures(task.lines);
    if (blocks.length > 0) for (const block of blocks) say(`${block}\n`);
    else say(task.lines.join("\n"));
  }
  if (turboCode !== 0 && failures.length === 0) {
    say("");
    say(loose.filter((l) => l.trim() !== "").join("\n"));
  }

  const header = ["task", "result", "passed", "failed", "time", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  say("");
  say(line(header.map((h) => h.toUpperCase())));
  for (const r of rows.sort((a, b) => a[0].localeCompare(b[0]))) say(line(r));
  say("");
  say(`[test] full output: ${logPath}`);
  if (turboCode !== 0 && failed === 0) failed = 1; // turbo itself failed: never report a clean run
  say(`${passed} passed, ${failed} failed`);
  return failed === 0 && turboCode === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
