// Newest-first pages of a table keyed by seq (decisions, audit, approvals), the same in both
// engines: which rows a cursor and the filters select, and how a page and its next cursor
// come out. Only the parameter marker differs (`?` in SQLite, `$1…` in PostgreSQL).
import { decodeCursor, encodeCursor } from "./ids.js";
import type { Page } from "./types.js";

/** A column and the value it must equal; no filter when the value is undefined or "" (not given). */
export type Filter = readonly [column: string, value: string | number | undefined];

/** The statement for one page and its arguments. */
export interface PageSelect {
  sql: string;
  args: Array<string | number>;
}

/**
 * Selects one row more than `limit` (so the page knows whether another follows), below the
 * cursor's seq when there is one, matching every given filter. `param(n)` spells the n-th
 * parameter marker.
 */
export function newestFirstSelect(
  table: string,
  filters: readonly Filter[],
  page: { limit: number; cursor?: string },
  param: (n: number) => string,
): PageSelect {
  const where: string[] = [];
  const args: Array<string | number> = [];
  const add = (condition: string, value: string | number) => {
    args.push(value);
    where.push(`${condition} ${param(args.length)}`);
  };
  const before = page.cursor ? Number(decodeCursor(page.cursor)) : Number.NaN;
  if (Number.isInteger(before)) add("seq <", before);
  for (const [column, value] of filters) {
    if (value !== undefined && value !== "") add(`${column} =`, value);
  }
  args.push(page.limit + 1);
  return {
    sql: `SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ${param(args.length)}`,
    args,
  };
}

/** The page of `rows` (as selected above) and the cursor to the next one, if any. */
export function toNewestFirstPage<R extends { seq: number }, T>(
  rows: R[],
  limit: number,
  toItem: (row: R) => T,
): Page<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor(String(last.seq)) : null,
  };
}
