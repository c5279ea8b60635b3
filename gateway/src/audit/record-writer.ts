// Group commit for decisions and audit events. Every request that queues a record
// in the same turn of the event loop shares one transaction: the batch is written
// on the next turn (setImmediate), so a burst of N requests costs one commit, not
// 2N. Each caller's promise settles when the batch holding its records commits,
// so a request that must not proceed unrecorded simply awaits it: "every
// forwarded call has a durable record" holds, and a hard kill can only lose
// records whose requests were still waiting (never forwarded, never answered).
// While one batch is being written, new records gather for the next one.
// Budget holds and settles (limits/budget-ledger.ts) ride in the same batches.
import type { AuditEvent, AuditRecord, BudgetDelta, DecisionRecord, RecordStore } from "../store/types.js";

export interface RecordEntry {
  decision?: DecisionRecord;
  audit?: AuditEvent[];
  budgets?: BudgetDelta[];
}

export interface RecordWriter {
  /** Queues the records; resolves to the audit records (in order) once their batch has committed. */
  write(entry: RecordEntry): Promise<AuditRecord[]>;
  /** Resolves when everything queued so far has been written (or has failed). */
  flush(): Promise<void>;
}

export interface RecordWriterOptions {
  /** Most entries in one transaction; more wait for the next (default 512). */
  maxBatch?: number;
}

interface Pending {
  entry: RecordEntry;
  resolve(records: AuditRecord[]): void;
  reject(error: unknown): void;
}

export function createRecordWriter(store: RecordStore, options: RecordWriterOptions = {}): RecordWriter {
  const maxBatch = options.maxBatch ?? 512;
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new RangeError("maxBatch must be a positive integer");
  let queue: Pending[] = [];
  let scheduled = false;
  let writing: Promise<void> | null = null;
  const idle: Array<() => void> = [];

  function schedule(): void {
    if (scheduled || writing) return;
    scheduled = true;
    setImmediate(runBatch);
  }

  function runBatch(): void {
    scheduled = false;
    const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue;
    if (batch === queue) queue = [];
    if (batch.length === 0) {
      for (const done of idle.splice(0)) done();
      return;
    }
    writing = commit(batch).finally(() => {
      writing = null;
      if (queue.length > 0) schedule();
      else for (const done of idle.splice(0)) done();
    });
  }

  async function commit(batch: Pending[]): Promise<void> {
    const decisions: DecisionRecord[] = [];
    const audit: AuditEvent[] = [];
    const budgets: BudgetDelta[] = [];
    for (const { entry } of batch) {
      if (entry.decision) decisions.push(entry.decision);
      if (entry.audit) audit.push(...entry.audit);
      if (entry.budgets) budgets.push(...entry.budgets);
    }
    let records: AuditRecord[];
    try {
      records = await store.write(budgets.length ? { decisions, audit, budgets } : { decisions, audit });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    let next = 0;
    for (const pending of batch) {
      const count = pending.entry.audit?.length ?? 0;
      pending.resolve(records.slice(next, next + count));
      next += count;
    }
  }

  return {
    write(entry) {
      return new Promise<AuditRecord[]>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        schedule();
      });
    },
    flush() {
      if (!scheduled && !writing && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
