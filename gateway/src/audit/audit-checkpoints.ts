// The audit trail's signed checkpoints, run beside the app: every interval the chain head is
// signed (when it moved) and appended to the checkpoint log; verify checks every checkpoint
// against the stored chain. Only the store's public AuditStore interface is used, so both
// engines get the same tamper evidence.
import { encodeCursor } from "../store/ids.js";
import type { AuditStore } from "../store/types.js";
import {
  type Checkpoint,
  type CheckpointLog,
  type CheckpointPublicKey,
  type CheckpointSigner,
  type CheckpointVerification,
  verifyCheckpoints,
} from "./checkpoints.js";

export interface AuditCheckpoints {
  /** Signs the current head when it moved since the last checkpoint; resolves to the new checkpoint or null. */
  checkpointNow(): Promise<Checkpoint | null>;
  verify(): Promise<CheckpointVerification>;
  /** What an outside verifier keeps: the public key and every checkpoint. */
  export(): { publicKey: CheckpointPublicKey; checkpoints: Checkpoint[] };
  stop(): void;
}

export interface AuditCheckpointOptions {
  audit: Pick<AuditStore, "list">;
  signer: CheckpointSigner;
  log: CheckpointLog;
  now: () => number;
  intervalSeconds: number;
  retentionDays: number;
  onError?: (error: unknown) => void;
}

export function startAuditCheckpoints(options: AuditCheckpointOptions): AuditCheckpoints {
  const { audit, signer, log, now } = options;
  let last = log.all().at(-1) ?? null;

  async function head(): Promise<{ seq: number; hash: string } | null> {
    const [newest] = (await audit.list({ limit: 1 })).items;
    return newest ? { seq: newest.seq, hash: newest.hash } : null;
  }

  async function checkpointNow(): Promise<Checkpoint | null> {
    const current = await head();
    if (!current || (last && last.seq === current.seq && last.hash === current.hash)) return null;
    const checkpoint = signer.sign(current, new Date(now()));
    log.append(checkpoint);
    last = checkpoint;
    return checkpoint;
  }

  const chain = {
    async hashAt(seq: number) {
      const [record] = (await audit.list({ limit: 1, cursor: encodeCursor(String(seq + 1)) })).items;
      return record?.seq === seq ? record.hash : null;
    },
    async bounds() {
      const newest = (await head())?.seq ?? 0;
      return { newest, oldest: await oldestSeq(newest) };
    },
  };

  /** Binary search over seq for the first record still stored (retention prunes from the start). */
  async function oldestSeq(newest: number): Promise<number> {
    let low = 1;
    let high = newest;
    if (newest === 0) return 1;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      const [atOrBelow] = (await audit.list({ limit: 1, cursor: encodeCursor(String(mid + 1)) })).items;
      if (atOrBelow) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  const timer = setInterval(() => {
    checkpointNow().catch((error: unknown) => options.onError?.(error));
  }, options.intervalSeconds * 1000).unref();

  return {
    checkpointNow,
    async verify() {
      const retainedSince = new Date(
        now() - options.retentionDays * 86_400_000 + options.intervalSeconds * 1000,
      ).toISOString();
      return verifyCheckpoints(log.all(), signer.publicKey, chain, retainedSince);
    },
    export: () => ({ publicKey: signer.publicKey, checkpoints: log.all() }),
    stop: () => clearInterval(timer),
  };
}
