// Deadlines of one fixed length on one timer. A per-attempt timeout used to cost each upstream call its own
// timer plus a timeout policy's AbortSignal plumbing; with every deadline the same length they expire in the
// order they were set, so a FIFO queue and a single timer armed for the oldest live deadline do the same.
// Finishing in time only marks the entry cleared; cleared entries leave the queue from its front.

export interface Deadline {
  /** The call finished in time: it will not be aborted. */
  clear(): void;
}

export interface Deadlines {
  /** Aborts `controller` once the deadline length has passed, unless the returned deadline is cleared. */
  start(controller: AbortController): Deadline;
}

class Queue {
  entries: Entry[] = [];
  head = 0;

  /** Drops cleared entries from the front; compacts once the dropped part is large. */
  dropCleared(): void {
    while (this.head < this.entries.length && this.entries[this.head]!.controller === null) this.head += 1;
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

class Entry implements Deadline {
  constructor(
    readonly queue: Queue,
    readonly at: number,
    public controller: AbortController | null,
  ) {}

  clear(): void {
    this.controller = null;
    if (this.queue.entries[this.queue.head] === this) this.queue.dropCleared();
  }
}

export function createDeadlines(timeoutMs: number, now: () => number = () => performance.now()): Deadlines {
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new RangeError("timeoutMs must be an integer >= 1");
  const queue = new Queue();
  let timer: NodeJS.Timeout | null = null;

  function arm(delayMs: number): void {
    timer = setTimeout(fire, Math.max(1, Math.ceil(delayMs)));
    timer.unref();
  }

  function fire(): void {
    timer = null;
    // Allow for the timer's millisecond rounding: it never fires more than that early.
    const due = now() + 1;
    queue.dropCleared();
    while (queue.head < queue.entries.length) {
      const entry = queue.entries[queue.head]!;
      if (entry.controller !== null && entry.at > due) break;
      queue.head += 1;
      const controller = entry.controller;
      entry.controller = null;
      controller?.abort(new DOMException("the upstream did not answer in time", "TimeoutError"));
    }
    queue.dropCleared();
    if (queue.head < queue.entries.length) arm(queue.entries[queue.head]!.at - now());
  }

  return {
    start(controller) {
      const entry = new Entry(queue, now() + timeoutMs, controller);
      queue.entries.push(entry);
      if (timer === null) arm(timeoutMs);
      return entry;
    },
  };
}
