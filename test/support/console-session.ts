// The console's session over plain HTTP, as the browser page uses it: sign in with the admin
// token (a session cookie and a CSRF token back), use the cookie, sign out.

export interface ConsoleSessionCookie {
  /** `name=value`, ready for a Cookie header. */
  cookie: string;
  csrfToken: string;
}

export async function signInToConsole(url: string, adminToken: string): Promise<ConsoleSessionCookie> {
  const res = await fetch(`${url}/console/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: adminToken }),
  });
  if (res.status !== 200) throw new Error(`console sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("console sign-in set no cookie");
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

/** Status of GET `path` with the session's cookie (and nothing else to prove who is asking). */
export async function withConsoleCookie(url: string, session: ConsoleSessionCookie, path: string) {
  const res = await fetch(`${url}${path}`, { headers: { cookie: session.cookie } });
  await res.arrayBuffer();
  return res.status;
}

export async function signOutOfConsole(url: string, session: ConsoleSessionCookie): Promise<number> {
  const res = await fetch(`${url}/console/session`, {
    method: "DELETE",
    headers: { cookie: session.cookie, "x-csrf-token": session.csrfToken },
  });
  await res.arrayBuffer();
  return res.status;
}
