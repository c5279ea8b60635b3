#!/usr/bin/env node
// Verifies a gateway's audit trail from outside, against checkpoints saved earlier (the JSON of
// GET /admin/audit/checkpoints, kept where the gateway's operators cannot rewrite it). Needs only
// Node: it pages through GET /admin/audit, recomputes every record's hash, checks each saved
// checkpoint's Ed25519 signature and that the chain still holds the record it signed.
//
//   AGENTGW_URL=https://gw.example AGENTGW_ADMIN_TOKEN=… node scripts/verify-audit.mjs saved-checkpoints.json
//
// Exit 0 when everything agrees, 1 when something does not (the reason is printed), 2 on a usage error.
import { createHash, createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";

function fail(code, message) {
  process.stderr.write(`verify-audit: ${message}\n`);
  process.exit(code);
}

const file = process.argv[2];
const base = process.env.AGENTGW_URL;
const token = process.env.AGENTGW_ADMIN_TOKEN;
if (!file || !base || !token) {
  fail(2, "usage: AGENTGW_URL=… AGENTGW_ADMIN_TOKEN=… node scripts/verify-audit.mjs <checkpoints.json>");
}

const saved = JSON.parse(readFileSync(file, "utf8"));
const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: saved.publicKey.x }, format: "jwk" });

// 1. Every saved checkpoint is signed by the checkpoint key.
for (const c of saved.checkpoints) {
  const text = `agentgw-audit-checkpoint\n${c.seq}\n${c.hash}\n${c.time}`;
  if (
    c.kid !== saved.publicKey.kid ||
    !verify(null, Buffer.from(text), key, Buffer.from(c.signature, "base64url"))
  ) {
    fail(1, `checkpoint at seq ${c.seq}: the signature does not verify`);
  }
}

// 2. The whole chain, newest first, page by page; each record's hash recomputed.
const records = [];
for (let cursor = null; ; ) {
  const url = new URL("/admin/audit", base);
  url.searchParams.set("limit", "200");
  if (cursor) url.searchParams.set("cursor", cursor);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) fail(1, `GET ${url.pathname} answered ${res.status}`);
  const page = await res.json();
  records.push(...page.items);
  if (!page.nextCursor) break;
  cursor = page.nextCursor;
}
records.reverse();
const bySeq = new Map();
let prev = records[0]?.prevHash;
for (const r of records) {
  const canonical = JSON.stringify([
    r.seq,
    r.time,
    r.actor,
    r.action,
    r.target,
    r.requestId,
    r.traceId,
    r.details,
  ]);
  const hash = createHash("sha256").update(prev).update("\n").update(canonical).digest("hex");
  if (r.prevHash !== prev || r.hash !== hash) fail(1, `record ${r.seq}: the hash chain is broken`);
  bySeq.set(r.seq, r.hash);
  prev = hash;
}

// 3. The chain still holds what each checkpoint signed.
const oldest = records[0]?.seq ?? 1;
const newest = records.at(-1)?.seq ?? 0;
for (const c of saved.checkpoints) {
  if (c.seq > newest)
    fail(1, `checkpoint at seq ${c.seq}: the chain ends at ${newest}; records were removed`);
  if (c.seq >= oldest && bySeq.get(c.seq) !== c.hash)
    fail(1, `checkpoint at seq ${c.seq}: the record was rewritten`);
}
process.stdout.write(
  `ok: ${records.length} records (seq ${oldest}–${newest}) and ${saved.checkpoints.length} checkpoints agree\n`,
);
