/**
 * Two-factor end to end below the browser, on a real database: enrolment, sign-in through the
 * Auth.js credentials provider (with and without a code, replay, recovery codes, throttling),
 * turning it off, and the company policy "require two-factor".
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...nextauth]/route";
import { GET as listRegistries } from "@/app/api/v1/companies/[companyId]/registries/route";
import { POST as createToken } from "@/app/api/v1/companies/[companyId]/tokens/route";
import { GET as me } from "@/app/api/v1/me/route";
import { auditEvents, companies, recoveryCodes, userTotp } from "@/db/schema";
import { verifySecondFactor } from "@/lib/auth/second-factor";
import { CODE_MAX_PER_ACCOUNT } from "@/lib/auth/sign-in";
import { totpCodeAt } from "@/lib/auth/totp";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";
import type { UserContext } from "@/lib/context";
import { apiRequest, call, signedInSession, TEST_ORIGIN } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { auditRows, contextFor, problemOf, seedTeam, tokenFor, tokenRow, type SeededUser, type Team } from "@/lib/testing/identity";
import { getTwoFactorPolicy, revokeTokensOfMembersWithoutTwoFactor, setTwoFactorPolicy } from "./policy";
import { beginTotpEnrolment, confirmTotpEnrolment, disableTwoFactor, getTwoFactorStatus } from "./service";
import { sessionUserFromHeaders } from "@/lib/auth/session";

let t: TestDb;
beforeAll(async () => {
  t = await useTestDb();
});
afterAll(async () => {
  await t?.close();
});

const MEMBER_PASSWORD = "member-password-1";
const userCtx = (u: { id: string; email: string }): UserContext => ({ userId: u.id, email: u.email, ip: "127.0.0.1", requestId: "test" });

/**
 * Enrols a user through the service, confirming with the code of a step 90 s in the past, so
 * that codes of the current step are still unused afterwards. Returns the secret and the codes.
 */
async function enrol(u: { id: string; email: string }) {
  const enrolment = await beginTotpEnrolment(userCtx(u));
  const secret = enrolment.manualKey.replace(/\s+/g, "");
  const past = Date.now() - 90_000;
  const { recoveryCodes: codes } = await confirmTotpEnrolment(userCtx(u), totpCodeAt(secret, past), past);
  return { secret, codes };
}

let peerSeq = 0;
/** Signs in through Auth.js' credentials provider as a script would: csrf, then the callback. */
async function signInHttp(email: string, password: string, code?: string, peer = `203.0.113.${++peerSeq}`) {
  const headers = { host: "localhost:3000", [PEER_HEADER]: stampedPeer(peer) };
  const csrfRes = await authGet(new (await import("next/server")).NextRequest(new URL("/api/auth/csrf", TEST_ORIGIN), { headers }));
  const { csrfToken } = await csrfRes.json();
  const csrfCookie = (csrfRes.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  const form = new URLSearchParams({ csrfToken, email, password, ...(code !== undefined ? { code } : {}) });
  const { NextRequest } = await import("next/server");
  const res = await authPost(
    new NextRequest(new URL("/api/auth/callback/credentials", TEST_ORIGIN), {
      method: "POST",
      headers: { ...headers, cookie: csrfCookie, "content-type": "application/x-www-form-urlencoded", origin: TEST_ORIGIN },
      body: form.toString(),
    }),
  );
  const cookies = res.headers.getSetCookie?.() ?? [];
  const session = cookies.find((c) => c.startsWith("authjs.session-token="));
  const location = res.headers.get("location") ?? "";
  return { status: res.status, location, error: new URL(location, TEST_ORIGIN).searchParams.get("code"), cookie: session?.split(";")[0] ?? null };
}

describe("enrolment", () => {
  it("a new secret is shown once, stored encrypted, and two-factor is on only after a right code", async () => {
    const team = await seedTeam(t.db);
    const u = team.users.member;
    const enrolment = await beginTotpEnrolment(userCtx(u));
    const secret = enrolment.manualKey.replace(/\s+/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(enrolment.qrCode.split(",")[1]!, "base64").toString()).toContain("<svg");

    const [row] = await t.db.select().from(userTotp).where(eq(userTotp.userId, u.id));
    expect(row!.secretBlob).toMatch(/^v1\./);
    expect(row!.secretBlob).not.toContain(secret);
    expect(row!.confirmedAt).toBeNull();
    expect((await getTwoFactorStatus(userCtx(u))).enabled).toBe(false);

    await expect(confirmTotpEnrolment(userCtx(u), "000000")).rejects.toMatchObject({ code: "validation" });
    await expect(confirmTotpEnrolment(userCtx(u), "abc")).rejects.toMatchObject({ code: "validation" });
    const { recoveryCodes: codes } = await confirmTotpEnrolment(userCtx(u), totpCodeAt(secret, Date.now()));
    expect(codes).toHaveLength(10);
    expect(await getTwoFactorStatus(userCtx(u))).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });

    // Only hashes are stored; no code or secret reaches the audit log.
    const stored = await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, u.id));
    expect(stored).toHaveLength(10);
    for (const c of codes) expect(JSON.stringify(stored)).not.toContain(c.replace(/-/g, ""));
    const audit = await auditRows(t.db, team.company.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["two_factor.enrolment_started", "two_factor.confirm_failed", "two_factor.enabled"]));
    const dump = JSON.stringify(audit);
    expect(dump).not.toContain(secret);
    for (const c of codes) expect(dump).not.toContain(c);

    // Once on, a new enrolment cannot replace it.
    await expect(beginTotpEnrolment(userCtx(u))).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("sign-in through the credentials provider", () => {
  let team: Team;
  let u: SeededUser;
  let secret: string;
  let codes: string[];
  beforeAll(async () => {
    team = await seedTeam(t.db);
    u = team.users.member;
    ({ secret, codes } = await enrol(u));
  });

  it("without two-factor the password alone signs in", async () => {
    const r = await signInHttp(team.users.viewer.email, MEMBER_PASSWORD);
    expect(r.cookie).toBeTruthy();
    expect(r.error).toBeNull();
  });

  it("the right password alone is not a session: the answer asks for the code", async () => {
    const r = await signInHttp(u.email, MEMBER_PASSWORD);
    expect(r.cookie).toBeNull();
    expect(r.error).toBe("code_required");
    // A wrong password with a right code is still a wrong password.
    const wrong = await signInHttp(u.email, "not-the-password", totpCodeAt(secret, Date.now()));
    expect(wrong.cookie).toBeNull();
    expect(wrong.error).toBe("credentials");
  });

  it("a wrong code is refused; the right code signs in once, and the same code again is refused (replay)", async () => {
    const wrong = await signInHttp(u.email, MEMBER_PASSWORD, "123456" === totpCodeAt(secret, Date.now()) ? "654321" : "123456");
    expect(wrong).toMatchObject({ cookie: null, error: "invalid_code" });
    const code = totpCodeAt(secret, Date.now());
    const ok = await signInHttp(u.email, MEMBER_PASSWORD, code);
    expect(ok.cookie).toBeTruthy();
    const who = await me(apiRequest("GET", "/api/v1/me", { cookie: ok.cookie! }));
    expect(who.status).toBe(200);
    const replay = await signInHttp(u.email, MEMBER_PASSWORD, code);
    expect(replay).toMatchObject({ cookie: null, error: "invalid_code" });
    const audit = await t.db.select().from(auditEvents).where(and(eq(auditEvents.companyId, team.company.id), eq(auditEvents.targetId, u.id)));
    expect(audit.some((a) => a.action === "auth.signed_in" && (a.metadata as { method?: string }).method === "password+totp")).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it("a recovery code signs in once", async () => {
    const code = codes[0]!;
    const ok = await signInHttp(u.email, MEMBER_PASSWORD, code.toUpperCase());
    expect(ok.cookie).toBeTruthy();
    const again = await signInHttp(u.email, MEMBER_PASSWORD, code);
    expect(again).toMatchObject({ cookie: null, error: "invalid_code" });
    expect((await getTwoFactorStatus(userCtx(u))).recoveryCodesLeft).toBe(9);
    // Another user's recovery code is no use here.
    const other = await enrol(team.users.admin);
    expect(await signInHttp(u.email, MEMBER_PASSWORD, other.codes[0]!)).toMatchObject({ cookie: null, error: "invalid_code" });
  });

  it(`after ${CODE_MAX_PER_ACCOUNT} wrong codes the right one is throttled too`, async () => {
    const victim = await seedTeam(t.db);
    const v = victim.users.member;
    const { secret: s } = await enrol(v);
    const wrongCode = totpCodeAt(s, Date.now()) === "000000" ? "111111" : "000000";
    for (let i = 0; i < CODE_MAX_PER_ACCOUNT; i++) {
      expect((await signInHttp(v.email, MEMBER_PASSWORD, wrongCode, `198.18.0.${i + 1}`)).error).toBe("invalid_code");
    }
    const throttled = await signInHttp(v.email, MEMBER_PASSWORD, totpCodeAt(s, Date.now()));
    expect(throttled).toMatchObject({ cookie: null, error: "throttled" });
    const audit = await auditRows(t.db, victim.company.id);
    expect(audit.filter((a) => a.action === "auth.two_factor_failed")).toHaveLength(CODE_MAX_PER_ACCOUNT + 1);
  });
});

describe("each code works once, also under concurrency", () => {
  it("of two concurrent uses of one TOTP code or one recovery code, exactly one wins; an older step after a newer one is refused", async () => {
    const team = await seedTeam(t.db);
    const u = team.users.member;
    const { secret, codes } = await enrol(u);
    const now = Date.now();
    const code = totpCodeAt(secret, now);
    const totp = await Promise.all([verifySecondFactor(t.db, u.id, code, now), verifySecondFactor(t.db, u.id, code, now)]);
    expect(totp.filter((r) => r.ok)).toHaveLength(1);
    // The previous step's code is inside the window but older than the one accepted.
    expect(await verifySecondFactor(t.db, u.id, totpCodeAt(secret, now - 30_000), now)).toEqual({ ok: false });
    expect(await verifySecondFactor(t.db, u.id, totpCodeAt(secret, now + 30_000), now)).toEqual({ ok: true, method: "totp" });
    const recovery = await Promise.all([verifySecondFactor(t.db, u.id, codes[3]!), verifySecondFactor(t.db, u.id, codes[3]!)]);
    expect(recovery.filter((r) => r.ok)).toHaveLength(1);
  });
});

describe("turning two-factor off", () => {
  it("needs the password and a code or a recovery code, and ends the other sessions", async () => {
    const team = await seedTeam(t.db);
    const u = team.users.member;
    const { codes } = await enrol(u);
    await expect(disableTwoFactor(userCtx(u), { password: MEMBER_PASSWORD })).rejects.toMatchObject({ code: "validation" });
    await expect(disableTwoFactor(userCtx(u), { password: "wrong-password", code: codes[1] })).rejects.toMatchObject({ code: "validation", errors: [{ path: "password" }] });
    await expect(disableTwoFactor(userCtx(u), { password: MEMBER_PASSWORD, code: "aaaa-bbbb-cccc-dddd" })).rejects.toMatchObject({ code: "validation", errors: [{ path: "code" }] });
    // Two sessions of the user: the one turning two-factor off stays, the other ends.
    const here = await signedInSession(u.id, { db: t.db });
    const elsewhere = await signedInSession(u.id, { db: t.db });
    const asUser = (cookie: string) => sessionUserFromHeaders(new Headers({ cookie }));
    expect(await asUser(elsewhere.cookie)).toMatchObject({ id: u.id });
    await disableTwoFactor({ ...userCtx(u), sessionId: here.sessionId }, { password: MEMBER_PASSWORD, code: codes[1] });
    expect(await asUser(here.cookie)).toMatchObject({ id: u.id, twoFactor: false });
    expect(await asUser(elsewhere.cookie)).toBeNull();
    expect(await getTwoFactorStatus(userCtx(u))).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect(await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, u.id))).toHaveLength(0);
    // Signing in needs no code any more.
    expect((await signInHttp(u.email, MEMBER_PASSWORD)).cookie).toBeTruthy();
    const actions = (await auditRows(t.db, team.company.id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["two_factor.disable_failed", "two_factor.disabled"]));
  });
});

describe('the company policy "require two-factor"', () => {
  let team: Team;
  beforeAll(async () => {
    team = await seedTeam(t.db);
  });
  const listAs = (auth: { cookie?: string; token?: string }, ref = team.company.id) =>
    call(listRegistries, apiRequest("GET", `/api/v1/companies/${ref}/registries`, auth), { companyId: ref });

  it("only owners and admins set it, and only with two-factor on their own account", async () => {
    await expect(setTwoFactorPolicy(await contextFor(team.company.id, { cookie: team.users.member.cookie }), true)).rejects.toMatchObject({ code: "forbidden" });
    await expect(setTwoFactorPolicy(await contextFor(team.company.id, { cookie: team.users.owner.cookie }), true)).rejects.toMatchObject({ code: "conflict" });
    await enrol(team.users.owner);
    await setTwoFactorPolicy(await contextFor(team.company.id, { cookie: team.users.owner.cookie }), true);
    const [c] = await t.db.select().from(companies).where(eq(companies.id, team.company.id));
    expect(c!.requireTwoFactor).toBe(true);
    const audit = await auditRows(t.db, team.company.id);
    expect(audit.find((a) => a.action === "company.two_factor_policy_changed")?.metadata).toEqual({ required: true });
  });

  it("a member without two-factor is blocked on pages' data, session API calls and token creation; enrolment stays open", async () => {
    const m = team.users.memberMr;
    // Page and action data come from the same context resolution.
    await expect(contextFor(team.company.slug, { cookie: m.cookie })).rejects.toMatchObject({ code: "two_factor_required", status: 403 });
    for (const ref of [team.company.id, team.company.slug]) {
      const res = await listAs({ cookie: m.cookie }, ref);
      const body = await problemOf(res, 403);
      expect(body).toMatchObject({ type: "https://berth.dev/problems/two-factor-required", enrolUrl: "/account" });
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    const created = await call(createToken, apiRequest("POST", `/api/v1/companies/${team.company.id}/tokens`, { cookie: m.cookie }, { name: "x", scopes: ["registries:read"] }), {
      companyId: team.company.id,
    });
    expect((await problemOf(created, 403)) as unknown).toMatchObject({ type: "https://berth.dev/problems/two-factor-required" });
    // The owner, who has two-factor, is not blocked; neither is the member's own account endpoint.
    expect((await listAs({ cookie: team.users.owner.cookie })).status).toBe(200);
    expect((await me(apiRequest("GET", "/api/v1/me", { cookie: m.cookie }))).status).toBe(200);
    // Another company without the policy is not affected.
    const elsewhere = await seedTeam(t.db);
    expect((await listAs({ cookie: elsewhere.users.owner.cookie }, elsewhere.company.id)).status).toBe(200);
    // A company the member does not belong to stays "not found": the policy check comes after membership.
    await problemOf(await listAs({ cookie: m.cookie }, elsewhere.company.id), 404);

    // Enrolling is allowed, and then the same session works.
    await enrol(m);
    expect((await listAs({ cookie: m.cookie })).status).toBe(200);
    const now = await call(createToken, apiRequest("POST", `/api/v1/companies/${team.company.id}/tokens`, { cookie: m.cookie }, { name: "after", scopes: ["registries:read"] }), {
      companyId: team.company.id,
    });
    expect(now.status).toBe(201);
  });

  it("tokens created before keep working until revoked; revoke-all takes only those of members without two-factor", async () => {
    const fresh = await seedTeam(t.db);
    const owner = fresh.users.owner;
    await enrol(owner);
    const ownerToken = await tokenFor(t.db, fresh.company.id, owner.id, { name: "owner-ci" });
    const memberToken = await tokenFor(t.db, fresh.company.id, fresh.users.member.id, { name: "member-ci" });
    const viewerToken = await tokenFor(t.db, fresh.company.id, fresh.users.viewer.id, { name: "viewer-ci" });
    const ownerCtx = await contextFor(fresh.company.id, { cookie: owner.cookie });
    await setTwoFactorPolicy(ownerCtx, true);

    // The member's session is blocked, the member's token is not.
    expect((await listAs({ cookie: fresh.users.member.cookie }, fresh.company.id)).status).toBe(403);
    expect((await listAs({ token: memberToken.token }, fresh.company.id)).status).toBe(200);

    const policy = await getTwoFactorPolicy(ownerCtx);
    expect(policy.required).toBe(true);
    expect(policy.tokensWithout.map((x) => x.name).sort()).toEqual(["member-ci", "viewer-ci"]);
    expect(policy.membersWithout.map((x) => x.userId)).not.toContain(owner.id);
    expect(JSON.stringify(policy)).not.toMatch(/brt_[A-Za-z0-9_-]{20,}/);

    // Members cannot revoke others' tokens.
    await expect(revokeTokensOfMembersWithoutTwoFactor(await contextFor(fresh.company.id, { token: memberToken.token }))).rejects.toMatchObject({ code: "forbidden" });
    expect(await revokeTokensOfMembersWithoutTwoFactor(ownerCtx)).toEqual({ revoked: 2 });
    expect((await listAs({ token: memberToken.token }, fresh.company.id)).status).toBe(401);
    expect((await tokenRow(t.db, viewerToken.id)).revokedAt).not.toBeNull();
    expect((await tokenRow(t.db, ownerToken.id)).revokedAt).toBeNull();
    expect((await listAs({ token: ownerToken.token }, fresh.company.id)).status).toBe(200);
    expect((await getTwoFactorPolicy(ownerCtx)).tokensWithout).toEqual([]);
    const audit = await auditRows(t.db, fresh.company.id);
    expect(audit.filter((a) => a.action === "token.revoked" && (a.metadata as { reason?: string }).reason === "two_factor_policy")).toHaveLength(2);
    expect(audit.find((a) => a.action === "company.tokens_without_two_factor_revoked")?.metadata).toEqual({ count: 2 });
  });

  it("turned off again, members without two-factor are back", async () => {
    const ctx = await contextFor(team.company.id, { cookie: team.users.owner.cookie });
    await setTwoFactorPolicy(ctx, false);
    expect((await listAs({ cookie: team.users.viewer.cookie })).status).toBe(200);
  });
});
