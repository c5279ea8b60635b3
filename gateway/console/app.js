// Agent Gateway console: plain JavaScript, no build step. It talks to the admin API with
// the session cookie set at sign-in; every change sends the session's CSRF token.
// Every value from the gateway is put into the page with textContent (never as HTML):
// agent names, reasons and request previews come from agents and must not run as code.

const PAGES = [
  ["overview", "Overview"],
  ["agents", "Agents"],
  ["approvals", "Approvals"],
  ["decisions", "Decisions"],
  ["audit", "Audit"],
  ["credentials", "Credentials"],
  ["policy", "Policy"],
];
const SCOPES = [
  "openai:chat",
  "openai:embeddings",
  "openai:models",
  "gmail:send",
  "gmail:read",
  "serpapi:search",
  "http:fetch",
];
const SECRET_FIELDS = {
  openai: [["apiKey", "API key"]],
  serpapi: [["apiKey", "API key"]],
  gmail: [
    ["clientId", "OAuth client id"],
    ["clientSecret", "OAuth client secret"],
    ["refreshToken", "Refresh token"],
  ],
};

const state = { csrf: null, page: "overview", timers: [], pending: 0 };
const app = document.getElementById("app");

// ---------------------------------------------------------------------------- DOM helpers

/** h("tag.class", {attrs, on: {click}}, ...children): text children are text nodes, always. */
function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag);
  if (classes.length) el.className = classes.join(" ");
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (name === "text") el.textContent = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Replaces an element's children; null, undefined and false are skipped (never shown as text). */
function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A scrolling table with these column headings over `body` (a tbody). */
function table(headings, body) {
  return h(
    "div.table-wrap",
    h(
      "table",
      h(
        "thead",
        h(
          "tr",
          headings.map((t) => h("th", { text: t })),
        ),
      ),
      body,
    ),
  );
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
const short = (text, n = 80) => (text && text.length > n ? `${text.slice(0, n)}…` : (text ?? ""));

function relative(iso) {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const text =
    abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

function badge(text, kind) {
  return h(`span.badge${kind ? `.${kind}` : ""}`, { text });
}

function empty(title, hint) {
  return h("div.empty", h("strong", { text: title }), h("span", { text: hint }));
}

function errorBox(error) {
  return h("div.error", { role: "alert" }, describe(error));
}

function describe(error) {
  if (error?.problem) {
    const p = error.problem;
    const extra = Array.isArray(p.errors) ? p.errors.map((e) => `${e.field}: ${e.message}`).join("; ") : "";
    return `${p.title ?? "Error"}: ${p.detail ?? ""}${extra && !String(p.detail).includes(extra) ? ` (${extra})` : ""}`;
  }
  return String(error?.message ?? error);
}

/** A place on the page for one operation's outcome, shown where it happened. */
function outcome() {
  const box = h("div", { "aria-live": "polite" });
  return {
    el: box,
    error(e) {
      fill(box, errorBox(e));
    },
    ok(text) {
      fill(box, h("div.notice", { role: "status", text }));
    },
    clear() {
      fill(box);
    },
  };
}

// ---------------------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && state.csrf) headers["x-csrf-token"] = state.csrf;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  if (response.status === 401 && path !== "/console/session") {
    // The session ended (expired, signed out elsewhere, admin token changed).
    state.csrf = null;
    renderSignIn("Your session has ended. Sign in again.");
    throw new ApiError(401, data);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const q = (params) => {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") query.set(k, v);
  const s = query.toString();
  return s ? `?${s}` : "";
};

// ---------------------------------------------------------------------------- shell

function stopTimers() {
  for (const t of state.timers) clearInterval(t);
  state.timers = [];
}

function every(ms, fn) {
  state.timers.push(setInterval(fn, ms));
}

function renderSignIn(message) {
  stopTimers();
  const result = outcome();
  const token = h("input", {
    type: "password",
    name: "token",
    autocomplete: "current-password",
    required: true,
    placeholder: "AGENTGW_ADMIN_TOKEN",
  });
  const form = h(
    "form.stack",
    {
      on: {
        submit: async (event) => {
          event.preventDefault();
          try {
            const session = await api("POST", "/console/session", { token: token.value });
            state.csrf = session.csrfToken;
            token.value = "";
            route(location.pathname, true);
          } catch (e) {
            result.error(e);
          }
        },
      },
    },
    h("label", "Admin token", token),
    result.el,
    h("button.primary", { type: "submit", text: "Sign in" }),
  );
  fill(
    app,
    h(
      "div.signin",
      h(
        "div.panel",
        h(
          "div.brand",
          h("img", { src: "/console/assets/icon.svg", alt: "" }),
          h("span", { text: "Agent Gateway" }),
        ),
        h("h1", { text: "Sign in to the console" }),
        h("p.muted", {
          text: "Use the gateway's admin token (AGENTGW_ADMIN_TOKEN). It is sent once; the session lasts a few hours.",
        }),
        message ? h("div.notice", { text: message }) : null,
        form,
      ),
    ),
  );
  token.focus();
}

function renderShell(page) {
  const nav = h(
    "nav.nav",
    { "aria-label": "Console" },
    h(
      "div.brand",
      h("img", { src: "/console/assets/icon.svg", alt: "" }),
      h("span", { text: "Agent Gateway" }),
    ),
    PAGES.map(([id, label]) =>
      h(
        "a",
        {
          href: `/console/${id}`,
          "aria-current": id === page ? "page" : null,
          "data-page": id,
          on: {
            click: (event) => {
              event.preventDefault();
              route(`/console/${id}`);
            },
          },
        },
        h("span", { text: label }),
        id === "approvals" && state.pending > 0 ? h("span.count", { text: String(state.pending) }) : null,
      ),
    ),
    h("div.spacer"),
    h("button.small", {
      text: "Sign out",
      on: {
        click: async () => {
          await api("DELETE", "/console/session").catch(() => {});
          state.csrf = null;
          renderSignIn("Signed out.");
        },
      },
    }),
  );
  const main = h("main", { id: "main" });
  fill(app, h("div.shell", nav, main));
  return main;
}

async function refreshPendingCount() {
  try {
    const page = await api("GET", "/admin/approvals?status=pending&limit=200");
    const count = page.items.length;
    if (count !== state.pending) {
      state.pending = count;
      const link = document.querySelector('.nav a[data-page="approvals"]');
      if (link) {
        link.querySelector(".count")?.remove();
        if (count > 0) link.append(h("span.count", { text: String(count) }));
      }
    }
  } catch {
    // shown on the page that failed
  }
}

function route(path, replace = false) {
  const page = PAGES.find(([id]) => path === `/console/${id}`)?.[0] ?? "overview";
  if (`/console/${page}` !== location.pathname || replace) {
    history[replace ? "replaceState" : "pushState"](null, "", `/console/${page}${location.hash}`);
  }
  stopTimers();
  state.page = page;
  const main = renderShell(page);
  document.title = `${PAGES.find(([id]) => id === page)[1]} · Agent Gateway`;
  every(5000, refreshPendingCount);
  void refreshPendingCount();
  RENDER[page](main).catch((e) => {
    if (!(e instanceof ApiError && e.status === 401)) main.append(errorBox(e));
  });
}

function head(title, subtitle, ...actions) {
  return h(
    "div.page-head",
    h("div", h("h1", { text: title }), h("p", { text: subtitle })),
    h("div.row", actions),
  );
}

// ---------------------------------------------------------------------------- overview

function sparkline(values) {
  const w = 200;
  const hgt = 44;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(hgt - 2 - (v / max) * (hgt - 6)).toFixed(1)}`,
  );
  if (points.length === 1) points.push(`${w},${points[0].split(",")[1]}`);
  return svg(
    "svg",
    {
      viewBox: `0 0 ${w} ${hgt}`,
      preserveAspectRatio: "none",
      role: "img",
      "aria-label": `last ${values.length} intervals`,
    },
    svg("polygon", { class: "spark-area", points: `0,${hgt} ${points.join(" ")} ${w},${hgt}` }),
    svg("polyline", { class: "spark", points: points.join(" ") }),
  );
}

async function renderOverview(main) {
  const subtitle = h("p");
  main.append(h("div.page-head", h("div", h("h1", { text: "Overview" }), subtitle)));
  const body = h("div");
  main.append(body);
  const draw = async () => {
    const data = await api("GET", "/admin/overview");
    const span =
      data.intervalSeconds >= 60 ? `${data.intervalSeconds / 60} min` : `${data.intervalSeconds} s`;
    subtitle.textContent = `What this gateway process did since it started; each chart shows the last ${data.samples.length - 1} intervals of ${span}.`;
    const deltas = (key) => data.samples.slice(1).map((s, i) => Math.max(0, s[key] - data.samples[i][key]));
    const cards = [
      ["requests", "Requests", "every HTTP request answered"],
      ["denials", "Policy denials", "token and call decisions that said no", true],
      ["rateLimited", "Rate-limited", "refused by a rate limit", true],
      ["upstreamErrors", "Upstream errors", "tool failures and timeouts", true],
      ["budgetUsed", "Budget use", "calls and tokens settled against budgets"],
    ];
    fill(
      body,
      data.pendingApprovals > 0
        ? h(
            "div.panel.approval",
            h("strong", {
              text: `${data.pendingApprovals} approval${data.pendingApprovals > 1 ? "s" : ""} waiting`,
            }),
            " — agents are waiting for a person. ",
            h("a", {
              href: "/console/approvals",
              text: "Decide now",
              on: {
                click: (e) => {
                  e.preventDefault();
                  route("/console/approvals");
                },
              },
            }),
          )
        : null,
      h(
        "div.grid",
        cards.map(([key, label, hint, bad]) =>
          h(
            `div.panel.metric${bad ? ".bad" : ""}`,
            { "data-metric": key },
            h("div.label", { text: label }),
            h("div.value", { text: Math.round(data.totals[key]).toLocaleString() }),
            sparkline(deltas(key).length ? deltas(key) : [0]),
            h("div.hint", { text: hint }),
          ),
        ),
      ),
      data.totals.requests === 0
        ? empty(
            "No traffic yet",
            "Register an agent (Agents) and let it ask for a token: the numbers appear here.",
          )
        : null,
    );
  };
  await draw();
  every(15000, () => draw().catch(() => {}));
}

// ---------------------------------------------------------------------------- agents

async function renderAgents(main) {
  main.append(
    head("Agents", "Who may call tools through the gateway. An agent proves itself with its Ed25519 key."),
  );
  const result = outcome();
  const name = h("input", { name: "name", required: true, placeholder: "e.g. support-bot", maxlength: 200 });
  const key = h("textarea", {
    name: "publicKey",
    required: true,
    placeholder: 'base64url public key (43 characters), or a JWK {"kty":"OKP","crv":"Ed25519","x":"…"}',
  });
  const tier = h("input", { name: "tier", value: "default" });
  const scopeBoxes = SCOPES.map((s) => h("input", { type: "checkbox", value: s, name: "scope" }));
  const form = h(
    "form.stack",
    {
      on: {
        submit: async (event) => {
          event.preventDefault();
          let publicKey = key.value.trim();
          if (publicKey.startsWith("{")) {
            try {
              publicKey = JSON.parse(publicKey);
            } catch {
              return result.error("the public key looks like JSON but does not parse");
            }
          }
          try {
            const agent = await api("POST", "/admin/agents", {
              name: name.value,
              publicKey,
              scopes: scopeBoxes.filter((b) => b.checked).map((b) => b.value),
              tier: tier.value || "default",
            });
            form.reset();
            result.ok(`Registered ${agent.name} (${agent.id}).`);
            await load();
          } catch (e) {
            result.error(e);
          }
        },
      },
    },
    h("div.row", h("label", "Name", name), h("label", "Tier", tier)),
    h("label", "Public key", key),
    h(
      "fieldset",
      h("legend", { text: "Scopes (the most it may ever be granted)" }),
      h(
        "div.checks",
        scopeBoxes.map((b) => h("label", b, b.value)),
      ),
    ),
    result.el,
    h("div.row", h("button.primary", { type: "submit", text: "Register agent" })),
  );
  const list = h("div");
  main.append(
    h("section.panel", h("h2", { text: "Register an agent" }), form),
    h("section.panel", h("h2", { text: "Agents" }), list),
  );

  async function load() {
    const page = await api("GET", "/admin/agents?limit=200");
    if (!page.items.length) {
      fill(
        list,
        empty(
          "No agents yet",
          "Register one above with the public key its owner sends you (agentgw keygen prints it).",
        ),
      );
      return;
    }
    fill(
      list,
      table(["Name", "Status", "Scopes", "Keys", "Created", ""], h("tbody", page.items.map(agentRows))),
    );
  }

  function agentRows(agent) {
    const rowResult = outcome();
    const act = (label, kind, fn) =>
      h(`button.small${kind ? `.${kind}` : ""}`, {
        text: label,
        on: {
          click: async () => {
            try {
              const message = await fn();
              await load();
              if (message) result.ok(message);
            } catch (e) {
              rowResult.error(e);
            }
          },
        },
      });
    const keysRow = h("tr", { hidden: true }, h("td", { colspan: 6 }, keyPanel(agent, load)));
    return [
      h(
        "tr",
        { "data-agent": agent.id },
        h("td", h("strong", { text: agent.name }), h("div.mono.muted", { text: agent.id })),
        h("td", badge(agent.status, agent.status === "active" ? "ok" : "warn")),
        h(
          "td",
          h(
            "div.chips",
            agent.scopes.map((s) => h("span.chip", { text: s })),
          ),
        ),
        h("td", { text: `${agent.keys.filter((k) => k.status === "active").length} active` }),
        h("td.hide-narrow", { text: when(agent.createdAt) }),
        h(
          "td",
          h(
            "div.actions",
            agent.status === "active"
              ? act("Suspend", "danger", async () => {
                  await api("PATCH", `/admin/agents/${agent.id}`, { status: "suspended" });
                  return `${agent.name} suspended; its tokens stopped working.`;
                })
              : act("Activate", null, async () => {
                  await api("PATCH", `/admin/agents/${agent.id}`, { status: "active" });
                  return `${agent.name} is active again.`;
                }),
            act("Revoke tokens", null, async () => {
              const r = await api("POST", "/admin/tokens/revoke", { agentId: agent.id });
              return `Revoked ${r.revoked} live token${r.revoked === 1 ? "" : "s"} of ${agent.name}.`;
            }),
            h("button.small", {
              text: "Keys",
              on: {
                click: () => {
                  keysRow.hidden = !keysRow.hidden;
                },
              },
            }),
          ),
          rowResult.el,
        ),
      ),
      keysRow,
    ];
  }

  await load();
}

function keyPanel(agent, reload) {
  const result = outcome();
  const key = h("input", { placeholder: "another public key (base64url)", required: true });
  return h(
    "div.stack",
    h(
      "table",
      h(
        "tbody",
        agent.keys.map((k) =>
          h(
            "tr",
            h("td.mono", { text: k.kid }),
            h("td", badge(k.status, k.status === "active" ? "ok" : "bad")),
            h("td.hide-narrow", { text: when(k.createdAt) }),
            h(
              "td",
              k.status === "active"
                ? h("button.small.danger", {
                    text: "Revoke key",
                    on: {
                      click: async () => {
                        try {
                          await api("DELETE", `/admin/agents/${agent.id}/keys/${encodeURIComponent(k.kid)}`);
                          await reload();
                        } catch (e) {
                          result.error(e);
                        }
                      },
                    },
                  })
                : null,
            ),
          ),
        ),
      ),
    ),
    h(
      "form.row",
      {
        on: {
          submit: async (event) => {
            event.preventDefault();
            try {
              await api("POST", `/admin/agents/${agent.id}/keys`, { publicKey: key.value.trim() });
              await reload();
            } catch (e) {
              result.error(e);
            }
          },
        },
      },
      h("label", "Add a key", key),
      h("button", { type: "submit", text: "Add key" }),
    ),
    result.el,
  );
}

// ---------------------------------------------------------------------------- approvals

async function renderApprovals(main) {
  main.append(
    head(
      "Approvals",
      "Requests a policy holds until a person decides. Approving lets that exact request through once.",
    ),
  );
  const pendingBox = h("div");
  const decidedBox = h("div");
  main.append(
    h("section", h("h2", { text: "Waiting for a decision" }), pendingBox),
    h("section.panel", h("h2", { text: "Recently decided" }), decidedBox),
  );
  const notes = new Map();

  async function load() {
    const [pending, recent] = await Promise.all([
      api("GET", "/admin/approvals?status=pending&limit=100"),
      api("GET", "/admin/approvals?limit=50"),
    ]);
    // Keep what the person is typing across refreshes.
    for (const id of [...notes.keys()]) if (!pending.items.some((a) => a.id === id)) notes.delete(id);
    fill(
      pendingBox,
      ...(pending.items.length
        ? pending.items.map(pendingCard)
        : [
            h(
              "div.panel",
              empty(
                "Nothing is waiting",
                "When a policy answers {allow: false, approval: {...}}, the request appears here within seconds.",
              ),
            ),
          ]),
    );
    const decided = recent.items.filter((a) => a.status !== "pending");
    fill(
      decidedBox,
      decided.length
        ? table(
            ["Decided", "Agent", "Request", "Status", "By", "Note"],
            h(
              "tbody",
              decided.map((a) =>
                h(
                  "tr",
                  { "data-approval": a.id },
                  h("td", { text: when(a.decidedAt ?? a.expiresAt) }),
                  h("td.mono", { text: a.agentId }),
                  h("td", { text: `${a.tool} ${a.action ?? "token"}` }),
                  h(
                    "td",
                    badge(
                      a.usedAt ? `${a.status}, used` : a.status,
                      a.status === "approved" ? "ok" : a.status === "denied" ? "bad" : null,
                    ),
                  ),
                  h("td", { text: a.decidedBy ?? "—" }),
                  h("td", { text: a.note ?? "" }),
                ),
              ),
            ),
          )
        : empty("No decisions yet", "Approved, denied and expired approvals are listed here."),
    );
    const target = location.hash.slice(1);
    if (target) document.getElementById(`approval-${target}`)?.classList.add("highlight");
  }

  function pendingCard(a) {
    const result = outcome();
    const note =
      notes.get(a.id) ??
      h("input", {
        name: "note",
        placeholder: "Optional note for the agent and the audit trail",
        maxlength: 2000,
      });
    notes.set(a.id, note);
    const decide = (verb) => async (event) => {
      const buttons = event.target.parentElement.querySelectorAll("button");
      for (const b of buttons) b.disabled = true;
      try {
        await api(
          "POST",
          `/admin/approvals/${a.id}/${verb}`,
          note.value.trim() ? { note: note.value.trim() } : {},
        );
        notes.delete(a.id);
        await load();
        void refreshPendingCount();
      } catch (e) {
        for (const b of buttons) b.disabled = false;
        result.error(e);
      }
    };
    return h(
      "article.panel.approval",
      { id: `approval-${a.id}`, "data-approval": a.id },
      h(
        "header",
        h("h3", { text: `${a.tool} ${a.action ?? "token"} for ${a.agentId}` }),
        h("span.muted", { text: `expires ${relative(a.expiresAt)}` }),
      ),
      h("p", { text: a.reason }),
      h(
        "dl",
        h("dt", { text: "Request" }),
        h("dd.mono", { text: `${a.request.method} ${a.request.path}` }),
        a.request.bodyPreview
          ? [h("dt", { text: "Body" }), h("dd", h("pre", { text: a.request.bodyPreview }))]
          : null,
        h("dt", { text: "Scopes" }),
        h(
          "dd",
          h(
            "div.chips",
            a.scopes.map((s) => h("span.chip", { text: s })),
          ),
        ),
        a.intent ? [h("dt", { text: "Intent" }), h("dd", { text: a.intent })] : null,
        h("dt", { text: "Phase" }),
        h("dd", {
          text:
            a.phase === "token"
              ? "token request (approval holds for its window)"
              : "tool call (goes through once)",
        }),
        h("dt", { text: "Asked" }),
        h("dd", { text: when(a.createdAt) }),
      ),
      h(
        "div.decide",
        h("label", "Note", note),
        h("button.approve", { text: "Approve", on: { click: decide("approve") } }),
        h("button.danger", { text: "Deny", on: { click: decide("deny") } }),
      ),
      result.el,
    );
  }

  await load();
  // Live: agents wait on these, so the list follows within seconds.
  every(2000, () => load().catch(() => {}));
}

// ---------------------------------------------------------------------------- decisions

async function renderDecisions(main) {
  main.append(
    head(
      "Decisions",
      "Every policy decision, newest first. Open one to see the input the policy saw and its reasons.",
    ),
  );
  const agent = h("input", { name: "agentId", placeholder: "agt_…" });
  const tool = h(
    "select",
    { name: "tool" },
    ["", "openai", "gmail", "serpapi", "http"].map((t) => h("option", { value: t, text: t || "any tool" })),
  );
  const allow = h(
    "select",
    { name: "allow" },
    [
      ["", "allowed or denied"],
      ["true", "allowed"],
      ["false", "denied"],
    ].map(([v, t]) => h("option", { value: v, text: t })),
  );
  const result = outcome();
  const list = h("div");
  const detail = h("div");
  const form = h(
    "form.row",
    {
      on: {
        submit: (e) => {
          e.preventDefault();
          load().catch((err) => result.error(err));
        },
      },
    },
    h("label", "Agent", agent),
    h("label", "Tool", tool),
    h("label", "Outcome", allow),
    h("button.primary", { type: "submit", text: "Filter" }),
  );
  main.append(h("section.panel", form, result.el), detail, h("section.panel", list));

  async function load() {
    result.clear();
    const page = await api(
      "GET",
      `/admin/decisions${q({ agentId: agent.value.trim(), tool: tool.value, allow: allow.value, limit: 100 })}`,
    );
    if (!page.items.length) {
      fill(
        list,
        empty(
          "No decisions match",
          "Decisions appear when agents ask for tokens or call tools. Clear the filters to see all.",
        ),
      );
      return;
    }
    fill(
      list,
      table(
        ["Time", "Agent", "Tool", "Phase", "Outcome", "Reasons"],
        h(
          "tbody",
          page.items.map((d) => {
            const row = h(
              "tr.clickable",
              {
                tabindex: 0,
                on: {
                  click: () => show(d, row),
                  keydown: (e) => {
                    if (e.key === "Enter") show(d, row);
                  },
                },
              },
              h("td", { text: when(d.time) }),
              h("td.mono", { text: d.agentId ?? "—" }),
              h("td", { text: `${d.tool ?? ""} ${d.action ?? ""}` }),
              h("td", { text: d.phase }),
              h("td", badge(d.allow ? "allowed" : "denied", d.allow ? "ok" : "bad")),
              h("td", { text: short(d.reasons.join("; "), 90) }),
            );
            return row;
          }),
        ),
      ),
    );
  }

  function show(d, row) {
    for (const r of list.querySelectorAll("tr.selected")) r.classList.remove("selected");
    row.classList.add("selected");
    fill(
      detail,
      h(
        "section.panel",
        h(
          "div.page-head",
          h("h2", { text: `Decision ${d.decisionId}` }),
          h("button.small", { text: "Close", on: { click: () => fill(detail) } }),
        ),
        h(
          "dl.details",
          h("dt", { text: "Outcome" }),
          h("dd", badge(d.allow ? "allowed" : "denied", d.allow ? "ok" : "bad")),
          h("dt", { text: "Reasons" }),
          h(
            "dd",
            d.reasons.length
              ? h(
                  "ul",
                  d.reasons.map((r) => h("li", { text: r })),
                )
              : "—",
          ),
          h("dt", { text: "Obligations" }),
          h("dd.mono", { text: JSON.stringify(d.obligations) }),
          h("dt", { text: "Policy revision" }),
          h("dd.mono", { text: d.policyRevision ?? "—" }),
          h("dt", { text: "Request id" }),
          h("dd.mono", { text: d.requestId }),
        ),
        h("h3", { text: "Input the policy saw" }),
        h("pre", { text: JSON.stringify(d.input, null, 2) }),
      ),
    );
    detail.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  await load();
}

// ---------------------------------------------------------------------------- audit

async function renderAudit(main) {
  main.append(
    head(
      "Audit trail",
      "Every change and decision, hash-chained: each record includes the hash of the one before.",
    ),
  );
  const verdict = h("div");
  const list = h("tbody");
  const more = h("button", { text: "Load older records" });
  let cursor = null;
  let broken = null;
  const verify = h("button.primary", {
    text: "Verify the chain",
    on: {
      click: async () => {
        verify.disabled = true;
        try {
          const r = await api("GET", "/admin/audit/verify");
          broken = r.ok ? null : r.firstBad;
          fill(
            verdict,
            r.ok
              ? h("div.notice", {
                  role: "status",
                  text: `The chain is intact: ${r.checked} records checked.`,
                })
              : h("div.error", {
                  role: "alert",
                  text: `The chain breaks at record ${r.firstBad.seq}: ${r.firstBad.reason}. Records from there on cannot be trusted.`,
                }),
          );
          for (const tr of list.querySelectorAll("tr"))
            tr.classList.toggle("broken", broken !== null && Number(tr.dataset.seq) >= broken.seq);
          list.querySelector(`tr[data-seq="${broken?.seq}"]`)?.scrollIntoView({ block: "center" });
        } catch (e) {
          fill(verdict, errorBox(e));
        } finally {
          verify.disabled = false;
        }
      },
    },
  });
  main.append(
    h("section.panel", h("div.row", verify), verdict),
    h(
      "section.panel",
      table(["#", "Time", "Actor", "Action", "Target", "Details"], list),
      h("div.row", more),
    ),
  );
  async function load() {
    const page = await api("GET", `/admin/audit${q({ limit: 100, cursor })}`);
    if (!page.items.length && !cursor)
      fill(
        list,
        h(
          "tr",
          h(
            "td",
            { colspan: 6 },
            empty(
              "The trail is empty",
              "Registering an agent or any policy decision writes the first record.",
            ),
          ),
        ),
      );
    for (const r of page.items) {
      list.append(
        h(
          "tr",
          { "data-seq": r.seq, class: broken && r.seq >= broken.seq ? "broken" : null },
          h("td.mono", { text: r.seq }),
          h("td", { text: when(r.time) }),
          h("td.mono", { text: r.actor }),
          h("td", { text: r.action }),
          h("td.mono", { text: r.target ?? "" }),
          h("td.mono", { text: short(JSON.stringify(r.details), 120) }),
        ),
      );
    }
    cursor = page.nextCursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", () => load().catch((e) => fill(verdict, errorBox(e))));
  await load();
}

// ---------------------------------------------------------------------------- credentials

async function renderCredentials(main) {
  main.append(
    head(
      "Credentials",
      "The tools' secrets, held by the gateway. Once set, a secret is never shown again: only its fingerprint.",
    ),
  );
  const result = outcome();
  const name = h("input", {
    name: "name",
    required: true,
    placeholder: "openai, or team-a-openai",
    pattern: "[a-z0-9][a-z0-9._-]{0,63}",
  });
  const tool = h(
    "select",
    { name: "tool" },
    Object.keys(SECRET_FIELDS).map((t) => h("option", { value: t, text: t })),
  );
  const description = h("input", { name: "description", placeholder: "optional" });
  const secretBox = h("div.row");
  const secretInputs = () => [...secretBox.querySelectorAll("input")];
  const drawSecret = () => fill(secretBox, ...secretFields(tool.value));
  tool.addEventListener("change", drawSecret);
  drawSecret();
  const form = h(
    "form.stack",
    {
      on: {
        submit: async (e) => {
          e.preventDefault();
          try {
            const created = await api("POST", "/admin/credentials", {
              name: name.value.trim(),
              tool: tool.value,
              secret: secretOf(secretInputs()),
              ...(description.value.trim() ? { description: description.value.trim() } : {}),
            });
            form.reset();
            drawSecret();
            result.ok(
              `Saved ${created.name}, version ${created.version} (fingerprint ${created.fingerprint}).`,
            );
            await load();
          } catch (err) {
            for (const input of secretInputs()) input.value = "";
            result.error(err);
          }
        },
      },
    },
    h("div.row", h("label", "Name", name), h("label", "Tool", tool), h("label", "Description", description)),
    secretBox,
    result.el,
    h("div.row", h("button.primary", { type: "submit", text: "Save credential" })),
  );
  const list = h("div");
  main.append(h("section.panel", h("h2", { text: "Set a credential" }), form), list);

  async function load() {
    const page = await api("GET", "/admin/credentials");
    if (!page.items.length) {
      fill(
        list,
        h(
          "section.panel",
          empty(
            "No credentials yet",
            "Set one above: a credential named like its tool (openai, gmail, serpapi) is the one calls use.",
          ),
        ),
      );
      return;
    }
    fill(list, ...page.items.map(card));
  }

  function card(c) {
    const cardResult = outcome();
    const inputs = secretFields(c.tool, `${c.name}-`);
    const run = (fn) => async (e) => {
      e.preventDefault?.();
      try {
        const message = await fn();
        await load();
        result.ok(message);
      } catch (err) {
        cardResult.error(err);
      } finally {
        for (const i of inputs) for (const input of i.querySelectorAll("input")) input.value = "";
      }
    };
    return h(
      "section.panel",
      { "data-credential": c.name },
      h(
        "div.page-head",
        h(
          "div",
          h("h2", { text: c.name }),
          h("p", { text: `${c.tool}${c.description ? ` · ${c.description}` : ""}` }),
        ),
        h("div", badge(`active v${c.activeVersion}`, "ok"), " ", h("span.mono", { text: c.fingerprint })),
      ),
      table(
        ["Version", "Fingerprint", "Created", ""],
        h(
          "tbody",
          [...c.versions].reverse().map((v) =>
            h(
              "tr",
              h("td", { text: `v${v.version}` }),
              h("td.mono", { text: v.fingerprint }),
              h("td", { text: when(v.createdAt) }),
              h(
                "td",
                v.version === c.activeVersion
                  ? badge("in use", "ok")
                  : h("button.small", {
                      text: v.version < c.activeVersion ? "Roll back to this" : "Activate",
                      on: {
                        click: run(async () => {
                          await api("POST", `/admin/credentials/${encodeURIComponent(c.name)}/activate`, {
                            version: v.version,
                          });
                          return `${c.name} now uses version ${v.version}.`;
                        }),
                      },
                    }),
              ),
            ),
          ),
        ),
      ),
      h(
        "form.stack",
        {
          on: {
            submit: run(async () => {
              const fields = inputs.flatMap((i) => [...i.querySelectorAll("input")]);
              const rotated = await api("PUT", `/admin/credentials/${encodeURIComponent(c.name)}`, {
                secret: secretOf(fields),
              });
              return `${c.name} rotated: version ${rotated.activeVersion} is in use (fingerprint ${rotated.fingerprint}).`;
            }),
          },
        },
        h("h3", { text: "Rotate: a new secret becomes the next version, in use at once" }),
        h("div.row", inputs, h("button.primary", { type: "submit", text: "Rotate" })),
      ),
      h(
        "div.row",
        h("button.small.danger", {
          text: "Delete credential",
          on: {
            click: run(async () => {
              if (!window.confirm(`Delete ${c.name} and every version of its secret?`))
                throw new Error("kept");
              await api("DELETE", `/admin/credentials/${encodeURIComponent(c.name)}`);
              return `${c.name} deleted.`;
            }),
          },
        }),
      ),
      cardResult.el,
    );
  }

  await load();
}

function secretFields(tool, prefix = "") {
  return (SECRET_FIELDS[tool] ?? []).map(([key, label]) =>
    h(
      "label",
      label,
      h("input", {
        type: "password",
        name: `${prefix}${key}`,
        "data-secret": key,
        autocomplete: "off",
        required: true,
      }),
    ),
  );
}

function secretOf(inputs) {
  const secret = {};
  for (const input of inputs) secret[input.dataset.secret] = input.value;
  return secret;
}

// ---------------------------------------------------------------------------- policy

async function renderPolicy(main) {
  main.append(head("Policy", "The Rego policy every token request and tool call is decided by."));
  const status = h("dl.details");
  const result = outcome();
  const reload = h("button.primary", {
    text: "Reload now",
    on: {
      click: async () => {
        reload.disabled = true;
        try {
          const r = await api("POST", "/admin/policy/reload");
          result.ok(`Loaded revision ${r.revision}.`);
          await load();
        } catch (e) {
          const errors = e.problem?.errors;
          fill(
            result.el,
            errorBox(e),
            Array.isArray(errors) && errors.length
              ? h(
                  "div.panel",
                  h("h3", { text: "Compile errors (the previous policy keeps serving)" }),
                  h(
                    "ul",
                    errors.map((x) =>
                      h("li.mono", {
                        text: `${x.file ? `${x.file}${x.row ? `:${x.row}` : ""}: ` : ""}${x.message}`,
                      }),
                    ),
                  ),
                )
              : null,
          );
        } finally {
          reload.disabled = false;
        }
      },
    },
  });
  main.append(h("section.panel", status, h("div.row", reload), result.el));
  async function load() {
    const p = await api("GET", "/admin/policy");
    fill(
      status,
      h("dt", { text: "Revision" }),
      h("dd.mono", { text: p.revision }),
      h("dt", { text: "Loaded" }),
      h("dd", { text: `${when(p.loadedAt)} (${relative(p.loadedAt)})` }),
      h("dt", { text: "Source" }),
      h("dd.mono", { text: p.source }),
    );
  }
  await load();
}

const RENDER = {
  overview: renderOverview,
  agents: renderAgents,
  approvals: renderApprovals,
  decisions: renderDecisions,
  audit: renderAudit,
  credentials: renderCredentials,
  policy: renderPolicy,
};

// ---------------------------------------------------------------------------- start

window.addEventListener("popstate", () => {
  if (state.csrf) route(location.pathname, true);
});

(async () => {
  try {
    const session = await api("GET", "/console/session");
    state.csrf = session.csrfToken;
    route(location.pathname, true);
  } catch {
    renderSignIn();
  }
})();
