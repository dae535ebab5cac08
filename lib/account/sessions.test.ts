import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/v1/me/route";
import { DELETE as deleteMember } from "@/app/api/v1/companies/[companyId]/members/[userId]/route";
import { auditEvents, memberships, sessions } from "@/db/schema";
import { handlers } from "@/lib/auth/auth";
import { checkCredentials } from "@/lib/auth/sign-in";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";
import { apiRequest, call, signedInSession, TEST_ORIGIN } from "@/lib/testing/auth";
import { seedTeam, setUpSeededTeam, type Team } from "@/lib/testing/identity";
import { changePassword, describeBrowser, listMySessions, signOutEverywhere, signOutSession, type AccountContext } from "./service";

const s = setUpSeededTeam();

const status = async (cookie: string) => (await me(apiRequest("GET", "/api/v1/me", { cookie }))).status;
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** A user signed in twice (two browsers), with the account context of the first session. */
async function twoSessions() {
  const user = await s.team.addUser("member");
  // Only the two sessions below: the one the seed signed in with is ended.
  await s.t.db.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.userId, user.id));
  const a = await signedInSession(user.id, { ip: "192.0.2.1", userAgent: FIREFOX });
  const b = await signedInSession(user.id, { ip: "198.51.100.7", userAgent: CHROME_MAC });
  const ctx: AccountContext = { userId: user.id, email: user.email, sessionId: a.sessionId, ip: "192.0.2.1", requestId: "test" };
  return { user, a, b, ctx };
}

/** Cookies from Set-Cookie headers, as a browser would keep them. */
function jar(res: Response, into: Map<string, string> = new Map()) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const i = pair!.indexOf("=");
    const value = pair!.slice(i + 1);
    if (value) into.set(pair!.slice(0, i), value);
    else into.delete(pair!.slice(0, i));
  }
  return into;
}
const cookieHeader = (cookies: Map<string, string>) => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");

async function authRequest(method: string, path: string, cookies: Map<string, string>, form?: Record<string, string>) {
  const headers: Record<string, string> = { host: "localhost:3000", [PEER_HEADER]: stampedPeer("127.0.0.1"), cookie: cookieHeader(cookies) };
  if (form) headers["content-type"] = "application/x-www-form-urlencoded";
  const { NextRequest } = await import("next/server");
  const req = new NextRequest(new URL(path, TEST_ORIGIN), { method, headers, body: form ? new URLSearchParams(form).toString() : undefined });
  return (method === "GET" ? handlers.GET : handlers.POST)(req);
}

describe("signing out ends the session on the server", () => {
  it("after sign-out through Auth.js, a copy of the session cookie is refused", async () => {
    const user = await s.team.addUser("member");
    await s.t.db.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.userId, user.id));
    const cookies = new Map<string, string>();
    const csrf = await authRequest("GET", "/api/auth/csrf", cookies);
    jar(csrf, cookies);
    const { csrfToken } = await csrf.json();
    const signIn = await authRequest("POST", "/api/auth/callback/credentials", cookies, { csrfToken, email: user.email, password: "member-password-1" });
    jar(signIn, cookies);
    const session = cookies.get("authjs.session-token");
    expect(session, "signed in").toBeTruthy();
    const copied = `authjs.session-token=${session}`;
    expect(await status(copied)).toBe(200);
    const [row, ...more] = await s.t.db.select().from(sessions).where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt)));
    expect(more, "one session per sign-in").toEqual([]);

    const out = await authRequest("POST", "/api/auth/signout", cookies, { csrfToken });
    expect([200, 302]).toContain(out.status);
    expect(await status(copied), "the copied cookie no longer works").toBe(401);
    const [ended] = await s.t.db.select().from(sessions).where(eq(sessions.id, row!.id));
    expect(ended!.revokedAt).not.toBeNull();
    const audit = await s.t.db.select().from(auditEvents).where(eq(auditEvents.action, "auth.signed_out"));
    expect(audit).toContainEqual(expect.objectContaining({ targetId: user.id, metadata: { sessionId: row!.id } }));
  });

  it("a cookie naming no session, another user's session or an expired one is refused", async () => {
    const { user, a } = await twoSessions();
    const other = await s.team.addUser("member");
    const { cookieFor } = await import("@/lib/testing/auth");
    expect(await status(await cookieFor(other.id, a.sessionId)), "someone else's session id").toBe(401);
    expect(await status(await cookieFor(user.id, crypto.randomUUID()))).toBe(401);
    await s.t.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, a.sessionId));
    expect(await status(a.cookie)).toBe(401);
  });
});

describe("the sessions list", () => {
  it("lists live sessions with address and browser, this one first", async () => {
    const { ctx, a, b } = await twoSessions();
    const list = await listMySessions(ctx);
    expect(list.map((row) => [row.id, row.current, row.ip, row.browser])).toEqual([
      [a.sessionId, true, "192.0.2.1", "Firefox 128 on Linux"],
      [b.sessionId, false, "198.51.100.7", "Chrome 131 on macOS"],
    ]);
    expect(Date.parse(list[0]!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(describeBrowser("")).toBe("Unknown browser");
  });

  it("last seen is written at most once a minute", async () => {
    const { a } = await twoSessions();
    const lastSeen = async () => (await s.t.db.select().from(sessions).where(eq(sessions.id, a.sessionId)))[0]!.lastSeenAt.getTime();
    const recent = new Date(Date.now() - 30_000);
    await s.t.db.update(sessions).set({ lastSeenAt: recent }).where(eq(sessions.id, a.sessionId));
    expect(await status(a.cookie)).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(await lastSeen(), "seen 30 s ago: not written again").toBe(recent.getTime());
    await s.t.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - 120_000) }).where(eq(sessions.id, a.sessionId));
    expect(await status(a.cookie)).toBe(200);
    await expect.poll(lastSeen, { timeout: 2000 }).toBeGreaterThan(Date.now() - 10_000);
  });
});

describe("sign out one session, or everywhere", () => {
  it("signing out another session ends only that one", async () => {
    const { ctx, a, b } = await twoSessions();
    await signOutSession(ctx, b.sessionId);
    expect(await status(b.cookie)).toBe(401);
    expect(await status(a.cookie)).toBe(200);
    await expect(signOutSession(ctx, b.sessionId), "already ended").rejects.toMatchObject({ status: 404 });
  });

  it("another user's session, or a malformed id, is 404 and ends nothing", async () => {
    const { ctx } = await twoSessions();
    const victim = await twoSessions();
    await expect(signOutSession(ctx, victim.a.sessionId)).rejects.toMatchObject({ status: 404 });
    await expect(signOutSession(ctx, "not-a-uuid")).rejects.toMatchObject({ status: 404 });
    expect(await status(victim.a.cookie)).toBe(200);
  });

  it("sign out everywhere ends every session, this one too, and is audited", async () => {
    const { ctx, a, b, user } = await twoSessions();
    expect(await signOutEverywhere(ctx)).toEqual({ sessionsEnded: 2 });
    expect(await status(a.cookie)).toBe(401);
    expect(await status(b.cookie)).toBe(401);
    const audit = await s.t.db.select().from(auditEvents).where(eq(auditEvents.action, "user.signed_out_everywhere"));
    expect(audit).toContainEqual(expect.objectContaining({ companyId: s.team.company.id, targetId: user.id, metadata: { sessionsEnded: 2 } }));
  });
});

describe("changing your password", () => {
  it("needs the current password, applies the rules, and ends every other session", async () => {
    const { ctx, a, b, user } = await twoSessions();
    await expect(changePassword(ctx, { currentPassword: "not-my-password", newPassword: "a-new-long-password" })).rejects.toMatchObject({
      status: 400,
      errors: [{ path: "currentPassword", message: "The current password is incorrect" }],
    });
    await expect(changePassword(ctx, { currentPassword: "member-password-1", newPassword: "short-one" })).rejects.toMatchObject({ status: 400, errors: [{ path: "newPassword" }] });
    await expect(changePassword(ctx, { currentPassword: "member-password-1", newPassword: "iloveyou123456" })).rejects.toMatchObject({
      errors: [{ path: "newPassword", message: expect.stringMatching(/too common/) }],
    });
    expect(await status(b.cookie), "refused changes end nothing").toBe(200);

    expect(await changePassword(ctx, { currentPassword: "member-password-1", newPassword: "a-new-long-password" })).toEqual({ sessionsEnded: 1 });
    expect(await status(a.cookie), "the session making the change stays").toBe(200);
    expect(await status(b.cookie), "the other one ends").toBe(401);
    expect((await checkCredentials(user.email, "a-new-long-password", new Headers({ [PEER_HEADER]: stampedPeer("192.0.2.99") }))).ok).toBe(true);
    expect((await checkCredentials(user.email, "member-password-1", new Headers({ [PEER_HEADER]: stampedPeer("192.0.2.99") }))).ok).toBe(false);

    const audit = await s.t.db.select().from(auditEvents).where(eq(auditEvents.targetId, user.id));
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(["user.password_change_failed", "user.password_changed"]));
    const text = JSON.stringify(audit);
    for (const secret of ["a-new-long-password", "member-password-1", "not-my-password", "iloveyou123456"]) expect(text).not.toContain(secret);
  });

  it("five wrong current passwords in a row refuse the check for a while (429), even with the right one", async () => {
    const { ctx } = await twoSessions();
    for (let i = 0; i < 5; i++) await expect(changePassword(ctx, { currentPassword: `wrong-${i}`, newPassword: "another-long-password" })).rejects.toMatchObject({ status: 400 });
    await expect(changePassword(ctx, { currentPassword: "member-password-1", newPassword: "another-long-password" })).rejects.toMatchObject({ status: 429 });
  });
});

describe("removal from every company", () => {
  it("ends every session of the removed user; removal from one of two companies does not", async () => {
    const inTwo = await twoSessions();
    const other = await seedTeam(s.t.db);
    await s.t.db.insert(memberships).values({ companyId: other.company.id, userId: inTwo.user.id, role: "member" });
    const remove = (from: Team, userId: string) =>
      call(deleteMember, apiRequest("DELETE", `/api/v1/companies/${from.company.id}/members/${userId}`, { cookie: from.users.owner.cookie }), { companyId: from.company.id, userId });
    expect((await remove(s.team, inTwo.user.id)).status).toBe(204);
    expect(await status(inTwo.a.cookie), "still a member of another company").toBe(200);
    expect((await remove(other, inTwo.user.id)).status).toBe(204);
    expect(await status(inTwo.a.cookie)).toBe(401);
    expect(await status(inTwo.b.cookie)).toBe(401);
    const audit = await s.t.db.select().from(auditEvents).where(eq(auditEvents.action, "user.sessions_ended"));
    expect(audit).toContainEqual(expect.objectContaining({ companyId: other.company.id, targetId: inTwo.user.id, metadata: { reason: "removed_from_every_company", sessionsEnded: 2 } }));
  });
});
