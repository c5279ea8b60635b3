// How results reach the user: with --json, one JSON document on stdout and nothing else there;
// without, readable text. Progress and warnings always go to stderr, so stdout stays parseable.
import type { CliIo } from "./io.js";

export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** The command's result: `value` as JSON with --json, else the text `human` makes of it. */
  result<T>(value: T, human: (value: T) => string): void {
    if (this.json) this.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
    else {
      const text = human(value);
      if (text !== "") this.io.stdout(text.endsWith("\n") ? text : `${text}\n`);
    }
  }

  /** A line about work in progress (slow steps), on stderr. */
  progress(message: string): void {
    this.io.stderr(`${message}\n`);
  }

  warn(message: string): void {
    this.io.stderr(`warning: ${message}\n`);
  }

  /** Runs a slow step, saying what it does before and how long it took after. */
  async step<T>(message: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    this.progress(`${message}…`);
    try {
      return await work();
    } finally {
      this.progress(`${message}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
}

export type Column<T> = readonly [header: string, cell: (row: T) => unknown];

/** A plain text table, columns padded to their widest cell; "(none)" when empty. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return "(none)";
  const cells = rows.map((row) => columns.map(([, cell]) => text(cell(row))));
  const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map(([header]) => header.toUpperCase())), ...cells.map(line)].join("\n");
}

/** `name: value` lines for one object. */
export function fields(entries: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, value]) => `${`${name}:`.padEnd(width + 2)}${text(value)}`).join("\n");
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.map(text).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value).replace(/[\r\n\t]+/g, " ");
}
