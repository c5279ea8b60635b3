// CPU time of server processes, read from Linux /proc, so a benchmark can charge each process
// its own CPU per request even when other processes share the cores. Elsewhere: null.
import { readdirSync, readFileSync } from "node:fs";

/** /proc/<pid>/stat fields after the command name: [state, ppid, …]; null when gone. */
function statFields(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  } catch {
    return null;
  }
}

/** User + system CPU time of one process in µs, or null where there is none. */
export function cpuMicros(pid) {
  const fields = statFields(pid);
  return fields ? ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6 : null; // utime, stime in USER_HZ (100)
}

function livePids() {
  try {
    return readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU time in µs of a process and every live descendant (a cluster primary and its workers,
 * a PostgreSQL server and its backends), or null where /proc is missing.
 */
export function treeCpuMicros(rootPid) {
  if (cpuMicros(rootPid) === null) return null;
  const parentOf = new Map();
  for (const pid of livePids()) {
    const fields = statFields(pid);
    if (fields) parentOf.set(pid, Number(fields[1]));
  }
  let total = 0;
  for (const pid of parentOf.keys()) {
    for (let p = pid; p; p = parentOf.get(p)) {
      if (p === rootPid) {
        total += cpuMicros(pid) ?? 0;
        break;
      }
    }
  }
  return total;
}

/** The first live process whose command line holds every one of `parts`, or null. */
export function findPid(...parts) {
  for (const pid of livePids()) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (parts.every((part) => cmdline.includes(part))) return pid;
    } catch {}
  }
  return null;
}
