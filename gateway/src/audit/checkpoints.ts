// Signed checkpoints of the audit chain's head. The hash chain alone shows only that the
// records agree with each other: whoever can write the database can rewrite a record and
// every hash after it, or cut the tail, and the chain still verifies. A checkpoint is the
// chain head (seq, hash) at a time, signed with an Ed25519 key kept OUT of the database (a
// file beside it, or wherever the operator points `audit.checkpointKeyFile`), appended to a
// log file and exportable. A later verify (here, or offline with the exported checkpoints and
// public key) then detects a rewritten record (the hash at a checkpoint's seq differs) and a
// truncated tail (a checkpoint names a seq the chain no longer reaches).
//
// Signed text (UTF-8), so any Ed25519 implementation can check it:
//   "agentgw-audit-checkpoint\n<seq>\n<hash>\n<time>"
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface Checkpoint {
  seq: number;
  hash: string;
  /** RFC 3339: when the head was signed. */
  time: string;
  /** The signing key's id (RFC 7638 thumbprint). */
  kid: string;
  /** Ed25519 over {@link checkpointText}, base64url. */
  signature: string;
}

export interface CheckpointPublicKey {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
}

export function checkpointText(c: Pick<Checkpoint, "seq" | "hash" | "time">): string {
  return `agentgw-audit-checkpoint\n${c.seq}\n${c.hash}\n${c.time}`;
}

export interface CheckpointSigner {
  readonly publicKey: CheckpointPublicKey;
  sign(head: { seq: number; hash: string }, at: Date): Checkpoint;
}

/** Reads the key file, or creates it (mode 0600) with a new Ed25519 key when it does not exist. */
export function loadCheckpointSigner(keyFile: string): CheckpointSigner {
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
    const fresh = generateKeyPairSync("ed25519").privateKey;
    try {
      writeFileSync(keyFile, JSON.stringify(fresh.export({ format: "jwk" })), { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another worker on the same data dir wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const jwk = JSON.parse(readFileSync(keyFile, "utf8")) as Record<string, string>;
  const privateKey: KeyObject = createPrivateKey({ key: jwk, format: "jwk" });
  const { x } = createPublicKey(privateKey).export({ format: "jwk" }) as { x: string };
  const kid = createHash("sha256")
    .update(JSON.stringify({ crv: "Ed25519", kty: "OKP", x }))
    .digest("base64url");
  const publicKey: CheckpointPublicKey = { kty: "OKP", crv: "Ed25519", x, kid };
  return {
    publicKey,
    sign(head, at) {
      const time = at.toISOString();
      const text = checkpointText({ ...head, time });
      return {
        seq: head.seq,
        hash: head.hash,
        time,
        kid,
        signature: sign(null, Buffer.from(text), privateKey).toString("base64url"),
      };
    },
  };
}

export function verifyCheckpointSignature(checkpoint: Checkpoint, publicKey: CheckpointPublicKey): boolean {
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey.x }, format: "jwk" });
    return verify(
      null,
      Buffer.from(checkpointText(checkpoint)),
      key,
      Buffer.from(checkpoint.signature, "base64url"),
    );
  } catch {
    return false;
  }
}

/** The append-only log of checkpoints, one JSON line each. */
export interface CheckpointLog {
  append(checkpoint: Checkpoint): void;
  all(): Checkpoint[];
}

export function openCheckpointLog(file: string): CheckpointLog {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  return {
    append(checkpoint) {
      appendFileSync(file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    },
    all() {
      if (!existsSync(file)) return [];
      const out: Checkpoint[] = [];
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        try {
          out.push(JSON.parse(line) as Checkpoint);
        } catch {
          // A torn last line (a crash mid-write) is skipped; verify reports what it could check.
        }
      }
      return out;
    },
  };
}

export interface CheckpointVerification {
  ok: boolean;
  /** Checkpoints whose signature and chain position were checked. */
  checked: number;
  /** The newest checkpoint's seq, when there is one. */
  latestSeq: number | null;
  /** The first checkpoint the chain contradicts. */
  firstBad?: { seq: number; reason: string };
}

/**
 * Checks each checkpoint against the chain: its signature, then the record at its seq. A seq
 * below the oldest kept record was pruned by retention and is skipped; a seq past the newest
 * record means the tail was cut; a different hash means the record (or one before it) was
 * rewritten.
 */
export async function verifyCheckpoints(
  checkpoints: readonly Checkpoint[],
  publicKey: CheckpointPublicKey,
  chain: {
    /** The hash of the record `seq`, or null when there is none. */
    hashAt(seq: number): Promise<string | null>;
    /** The newest record's seq (0 for an empty chain) and the oldest kept one's. */
    bounds(): Promise<{ newest: number; oldest: number }>;
  },
  /**
   * Checkpoints signed after this time (RFC 3339) name records retention cannot have pruned
   * yet; when their seq is below the oldest kept record, records were removed early.
   */
  retainedSince?: string,
): Promise<CheckpointVerification> {
  const { newest, oldest } = await chain.bounds();
  let checked = 0;
  let latestSeq: number | null = null;
  for (const checkpoint of checkpoints) {
    latestSeq = Math.max(latestSeq ?? 0, checkpoint.seq);
    const bad = (reason: string): CheckpointVerification => ({
      ok: false,
      checked,
      latestSeq,
      firstBad: { seq: checkpoint.seq, reason },
    });
    if (checkpoint.kid !== publicKey.kid || !verifyCheckpointSignature(checkpoint, publicKey)) {
      return bad("the checkpoint's signature does not verify under the checkpoint key");
    }
    if (checkpoint.seq > newest) {
      return bad(`the chain ends at seq ${newest}, before this signed checkpoint: records were removed`);
    }
    if (checkpoint.seq < oldest && retainedSince !== undefined && checkpoint.time > retainedSince) {
      return bad("records this checkpoint signed were removed before their retention ended");
    }
    if (checkpoint.seq >= oldest) {
      const hash = await chain.hashAt(checkpoint.seq);
      if (hash === null) return bad("the record this checkpoint signed is missing");
      if (hash !== checkpoint.hash)
        return bad("the record differs from the one this checkpoint signed: rewritten");
    }
    checked++;
  }
  return { ok: true, checked, latestSeq };
}
