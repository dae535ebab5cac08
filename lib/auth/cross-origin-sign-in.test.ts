/**
 * Login CSRF: Auth.js' double-submit CSRF token stops a foreign page that cannot read the token,
 * but Auth.js does not look at Origin, so a sign-in POST with a valid token pair from another
 * site's page is accepted by its handler alone. proxy.ts refuses that request before Auth.js sees
 * it (the real server's check is e2e/reliability/hardening.spec.ts).
 */
import type { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { handlers } from "@/lib/auth/auth";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";
import { TEST_ORIGIN } from "@/lib/testing/auth";
import { setUpSeededTeam } from "@/lib/testing/identity";
import { proxy } from "@/proxy";

const s = setUpSeededTeam();

function cookiesOf(res: Response, into = new Map<string, string>()) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const i = pair!.indexOf("=");
    if (pair!.slice(i + 1)) into.set(pair!.slice(0, i), pair!.slice(i + 1));
  }
  return into;
}

async function request(method: string, path: string, cookies: Map<string, string>, extra: Record<string, string> = {}, form?: Record<string, string>): Promise<NextRequest> {
  const { NextRequest } = await import("next/server");
  const headers: Record<string, string> = { host: "localhost:3000", [PEER_HEADER]: stampedPeer("127.0.0.1"), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "), ...extra };
  if (form) headers["content-type"] = "application/x-www-form-urlencoded";
  return new NextRequest(new URL(path, TEST_ORIGIN), { method, headers, body: form ? new URLSearchParams(form).toString() : undefined });
}

describe("a cross-origin sign-in with a valid CSRF token pair", () => {
  it("Auth.js alone would sign the browser in; the proxy refuses it first", async () => {
    const user = s.team.users.member;
    const cookies = cookiesOf(await handlers.GET(await request("GET", "/api/auth/csrf", new Map())));
    const csrfToken = ((await (await handlers.GET(await request("GET", "/api/auth/csrf", cookies))).json()) as { csrfToken: string }).csrfToken;
    const form = { csrfToken, email: user.email, password: "member-password-1" };
    const foreign = { origin: "http://attacker.invalid" };

    const viaProxy = await proxy(await request("POST", "/api/auth/callback/credentials", cookies, foreign, form));
    expect(viaProxy.status).toBe(403);
    expect(viaProxy.headers.get("x-middleware-next"), "not passed on to Auth.js").toBeNull();

    // What the proxy's refusal adds: Auth.js' handler by itself accepts the same request.
    const direct = await handlers.POST(await request("POST", "/api/auth/callback/credentials", cookies, foreign, form));
    expect(cookiesOf(direct).get("authjs.session-token"), "Auth.js does not check Origin").toBeTruthy();
  });
});
