// Cancelling upstream work when the agent goes away: an answer nobody will read should not
// keep an upstream connection (or a paid completion) running.
import type { Response } from "express";

export interface ClientGone {
  /** Aborted when the response closes before it was fully written. */
  readonly signal: AbortSignal;
  /** Aborts now (e.g. the answer's stream broke). */
  abort(): void;
  /** Stops watching the response; call once the answer is done. */
  release(): void;
}

export function watchClientGone(res: Response): ClientGone {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.on("close", onClose);
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    release: () => res.off("close", onClose),
  };
}
