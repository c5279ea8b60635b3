import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Response } from "express";
import { createAuditLog } from "../audit/audit-log.js";
import { createRecordWriter } from "../audit/record-writer.js";
import { createLogger } from "../log.js";
import type { Decision } from "../policy/types.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import type { Approval } from "../store/types.js";
import { createApprovals } from "./approvals.js";
import { type ApprovalSubject, approvalBinding } from "./binding.js";

const res = { locals: { requestId: "req-1", trace: { traceId: "t" } } } as unknown as Response;

function setup(options: { ttl?: number } = {}) {
  let now = Date.parse("2026-11-27T10:00:00Z");
  const store = openSqliteStore({ dataDir: ":memory:" });
  const pending: Approval[] = [];
  const approvals = createApprovals({
    store: store.approvals,
    audit: createAuditLog(createRecordWriter(store.records), createLogger("silent"), () => new Date(now)),
    nowMs: () => now,
    ...(options.ttl ? { defaultTtlSeconds: options.ttl } : {}),
    onPending: (a) => pending.push(a),
  });
  return {
    store,
    approvals,
    pending,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function subject(overrides: Partial<ApprovalSubject> = {}, body = '{"to":["x@evil.test"]}'): ApprovalSubject {
  return {
    agentId: "agt_1",
    kid: "kid-1",
    phase: "call",
    tool: "gmail",
    action: "messages.send",
    scopes: ["gmail:send"],
    intent: null,
    request: {
      method: "POST",
      path: "/v1/tools/gmail/gmail/v1/users/me/messages/send",
      query: "",
      body: Buffer.from(body),
      bodyPreview: body,
    },
    ...overrides,
  };
}

const asks = (ttl?: number): Decision & { approval: { reason: string; ttl_seconds?: number } } => ({
  allow: false,
  reasons: ["recipient outside the allowed domains"],
  obligations: { redact: ["/x"] },
  approval: { reason: "mail to evil.test", ...(ttl ? { ttl_seconds: ttl } : {}) },
});

async function ask(approvals: ReturnType<typeof setup>["approvals"], s = subject(), decision = asks()) {
  const binding = approvals.bind(s);
  return approvals.settle(res, s, binding, decision, await approvals.lookup(binding));
}

describe("approval binding", () => {
  it("is the same for a retry and differs for any change to who, what or the bytes", () => {
    const base = approvalBinding(subject());
    assert.equal(approvalBinding(subject()), base);
    assert.equal(
      approvalBinding(subject({ scopes: ["gmail:send", "gmail:send"] })),
      base,
      "scopes are a set",
    );
    for (const changed of [
      subject({ agentId: "agt_2" }),
      subject({ kid: "kid-2" }),
      subject({ phase: "token" }),
      subject({ action: "messages.get" }),
      subject({ scopes: ["gmail:send", "gmail:read"] }),
      subject({ intent: "something" }),
      subject({}, '{"to":["y@evil.test"]}'),
      subject({ request: { ...subject().request, query: "a=1" } }),
      subject({ request: { ...subject().request, path: "/v1/tools/gmail/other" } }),
    ]) {
      assert.notEqual(approvalBinding(changed), base);
    }
  });

  it("in the token phase ignores the request bytes (scopes and intent say what is asked)", () => {
    const token = subject({ phase: "token", action: null });
    const other = { ...token, request: { ...token.request, body: Buffer.from("{}") } };
    assert.equal(approvalBinding(token), approvalBinding(other));
  });
});

describe("approvals", () => {
  it("opens one pending approval per exact request; a repeat gets the same one", async () => {
    const { approvals, pending, store } = setup();
    const first = await ask(approvals);
    assert.equal(first.allow, false);
    assert.ok(!first.allow && first.error.code === "approval_required");
    assert.equal(first.approval.status, "pending");
    assert.equal(first.approval.expiresAt, "2026-11-27T10:15:00.000Z", "default 900 s");
    assert.equal(first.approval.request.bodyPreview, '{"to":["x@evil.test"]}');
    const again = await ask(approvals);
    assert.equal(again.approval.id, first.approval.id);
    assert.equal(pending.length, 1, "the webhook hears of it once");
    const other = await ask(approvals, subject({}, '{"to":["z@evil.test"]}'));
    assert.notEqual(other.approval.id, first.approval.id);
    const audit = await store.audit.list({ limit: 10, action: "approval.requested" });
    assert.equal(audit.items.length, 2);
  });

  it("an approved call goes through exactly once, with the policy's obligations", async () => {
    const { approvals, store } = setup();
    const opened = await ask(approvals);
    const decided = await approvals.decide(res, opened.approval.id, {
      status: "approved",
      decidedBy: "admin",
      note: "ok this once",
    });
    assert.equal(decided.status, "approved");
    const through = await ask(approvals);
    assert.equal(through.allow, true);
    assert.deepEqual(through.decision.obligations, { redact: ["/x"] });
    assert.match(through.decision.reasons[0]!, /approved by admin/);
    const repeat = await ask(approvals);
    assert.equal(repeat.allow, false, "the approval is used up");
    assert.notEqual(repeat.approval.id, opened.approval.id, "the repeat needs an approval of its own");
    assert.equal(repeat.approval.status, "pending");
    const used = await store.audit.list({ limit: 10, action: "approval.used" });
    assert.equal(used.items.length, 1);
  });

  it("two parallel retries of an approved call: exactly one goes through", async () => {
    const { approvals } = setup();
    const opened = await ask(approvals);
    await approvals.decide(res, opened.approval.id, { status: "approved", decidedBy: "admin", note: null });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => ask(approvals)));
    assert.equal(outcomes.filter((o) => o.allow).length, 1);
    const others = outcomes.filter((o) => !o.allow);
    assert.equal(
      new Set(others.map((o) => o.approval.id)).size,
      1,
      "the losers share one new pending approval",
    );
  });

  it("a token-phase approval allows the same token request during its window", async () => {
    const { approvals, advance } = setup();
    const token = subject({ phase: "token", action: null, request: { ...subject().request, body: null } });
    const opened = await ask(approvals, token, asks(60));
    await approvals.decide(res, opened.approval.id, { status: "approved", decidedBy: "admin", note: null });
    assert.equal((await ask(approvals, token, asks(60))).allow, true);
    advance(59_000);
    assert.equal((await ask(approvals, token, asks(60))).allow, true, "again, inside the window");
    advance(2_000);
    const after = await ask(approvals, token, asks(60));
    assert.equal(after.allow, false);
    assert.notEqual(after.approval.id, opened.approval.id);
  });

  it("a denied approval refuses the same request with approval_denied and the note", async () => {
    const { approvals } = setup();
    const opened = await ask(approvals);
    await approvals.decide(res, opened.approval.id, { status: "denied", decidedBy: "admin", note: "no" });
    const refused = await ask(approvals);
    assert.ok(!refused.allow);
    assert.equal(refused.error.code, "approval_denied");
    assert.equal(refused.error.extensions.note, "no");
    assert.equal(refused.approval.id, opened.approval.id);
  });

  it("pending approvals expire: they cannot be decided and a repeat opens a new one", async () => {
    const { approvals, advance, store } = setup({ ttl: 60 });
    const opened = await ask(approvals);
    advance(60_000);
    assert.equal(approvals.view(opened.approval).status, "expired", "reads as expired before the sweep");
    await assert.rejects(
      approvals.decide(res, opened.approval.id, { status: "approved", decidedBy: "admin", note: null }),
      (e: { code: string; detail: string }) => e.code === "conflict" && /expired/.test(e.detail),
    );
    const repeat = await ask(approvals);
    assert.notEqual(repeat.approval.id, opened.approval.id);
    assert.equal((await store.approvals.get(opened.approval.id))?.status, "expired");
    advance(60_000);
    assert.equal(await approvals.expireDue(), 1, "the sweep finds the repeat's approval");
    const audited = await store.audit.list({ limit: 10, action: "approval.expired" });
    assert.deepEqual(
      audited.items.map((r) => r.target).sort(),
      [opened.approval.id, repeat.approval.id].sort(),
      "every expiry is audited, whoever noticed it",
    );
    assert.equal((await store.audit.verify()).ok, true);
  });

  it("a decided approval cannot be decided again; an unknown one is not_found", async () => {
    const { approvals } = setup();
    const opened = await ask(approvals);
    await approvals.decide(res, opened.approval.id, { status: "denied", decidedBy: "admin", note: null });
    await assert.rejects(
      approvals.decide(res, opened.approval.id, { status: "approved", decidedBy: "admin", note: null }),
      (e: { code: string }) => e.code === "conflict",
    );
    await assert.rejects(
      approvals.decide(res, "apr_00000000000000000000000000", {
        status: "approved",
        decidedBy: "x",
        note: null,
      }),
      (e: { code: string }) => e.code === "not_found",
    );
  });

  it("lists newest first, filtered by status, with a cursor", async () => {
    const { approvals } = setup();
    for (const to of ["a", "b", "c"]) await ask(approvals, subject({}, `{"to":["${to}@evil.test"]}`));
    const first = await approvals.list({ status: "pending", limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
    const second = await approvals.list({ status: "pending", limit: 2, cursor: first.nextCursor });
    assert.equal(second.items.length, 1);
    assert.equal(second.items[0]!.request.bodyPreview, '{"to":["a@evil.test"]}');
    assert.equal((await approvals.list({ status: "denied", limit: 10 })).items.length, 0);
  });
});
