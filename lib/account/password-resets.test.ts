import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/v1/me/route";
import { auditEvents, memberships, passwordResets } from "@/db/schema";
import { checkCredentials } from "@/lib/auth/sign-in";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";
import { apiRequest } from "@/lib/testing/auth";
import { contextFor, seedTeam, setUpSeededTeam, type SeededUser, type Team } from "@/lib/testing/identity";
import { createPasswordResetLink, peekPasswordReset, resetPasswordWithLink } from "./password-resets";

const s = setUpSeededTeam();

const ctxOf = (as: SeededUser, tm: Team = s.team) => contextFor(tm.company.id, { cookie: as.cookie });
const tokenOf = (path: string) => path.replace("/reset-password/", "");
const visitor = { ip: "192.0.2.50", requestId: "reset-test" };
const status = async (cookie: string) => (await me(apiRequest("GET", "/api/v1/me", { cookie }))).status;
const signsIn = async (email: string, password: string) => (await checkCredentials(email, password, new Headers({ [PEER_HEADER]: stampedPeer("192.0.2.51") }))).ok;

describe("password reset links", () => {
  it("an owner's link sets the member's password once, ends their sessions, and is audited without the link", async () => {
    const member = await s.team.addUser("member");
    const { path, expiresAt } = await createPasswordResetLink(await ctxOf(s.team.users.owner), member.id);
    expect(path).toMatch(/^\/reset-password\/[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    const token = tokenOf(path);
    // Only the hash is stored.
    const [row] = await s.t.db.select().from(passwordResets).where(eq(passwordResets.userId, member.id));
    expect(row!.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(await peekPasswordReset(token)).toEqual({ email: member.email });

    // A refused password does not use the link up.
    await expect(resetPasswordWithLink(visitor, token, "too-short")).rejects.toMatchObject({ status: 400, errors: [{ path: "password" }] });
    await expect(resetPasswordWithLink(visitor, token, "password12345")).rejects.toMatchObject({ status: 400 });
    expect(await status(member.cookie)).toBe(200);

    expect(await resetPasswordWithLink(visitor, token, "a-fresh-reset-password")).toEqual({ email: member.email });
    expect(await status(member.cookie), "every session ends").toBe(401);
    expect(await signsIn(member.email, "a-fresh-reset-password")).toBe(true);

    // Single use.
    await expect(resetPasswordWithLink(visitor, token, "yet-another-password")).rejects.toMatchObject({ status: 404 });
    expect(await peekPasswordReset(token)).toBeNull();
    expect(await signsIn(member.email, "a-fresh-reset-password")).toBe(true);

    const audit = await s.t.db.select().from(auditEvents).where(eq(auditEvents.targetId, member.id));
    expect(audit).toContainEqual(expect.objectContaining({ action: "member.password_reset_link_created", actorUserId: s.team.users.owner.id, companyId: s.team.company.id }));
    expect(audit).toContainEqual(expect.objectContaining({ action: "user.password_reset", metadata: expect.objectContaining({ via: "link", sessionsEnded: 1 }) }));
    const text = JSON.stringify(audit);
    expect(text).not.toContain(token);
    expect(text).not.toContain(row!.tokenHash);
    expect(text).not.toContain("a-fresh-reset-password");
  });

  it("two concurrent uses: exactly one wins", async () => {
    const member = await s.team.addUser("member");
    const token = tokenOf((await createPasswordResetLink(await ctxOf(s.team.users.owner), member.id)).path);
    const results = await Promise.allSettled([resetPasswordWithLink(visitor, token, "concurrent-one-pass"), resetPasswordWithLink(visitor, token, "concurrent-two-pass")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("expires after an hour", async () => {
    const member = await s.team.addUser("member");
    const token = tokenOf((await createPasswordResetLink(await ctxOf(s.team.users.admin), member.id)).path);
    await s.t.db.update(passwordResets).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(passwordResets.userId, member.id));
    expect(await peekPasswordReset(token)).toBeNull();
    await expect(resetPasswordWithLink(visitor, token, "too-late-password")).rejects.toMatchObject({ status: 404 });
    expect(await signsIn(member.email, "member-password-1")).toBe(true);
  });

  it("a new link replaces the previous one", async () => {
    const member = await s.team.addUser("member");
    const first = tokenOf((await createPasswordResetLink(await ctxOf(s.team.users.owner), member.id)).path);
    const second = tokenOf((await createPasswordResetLink(await ctxOf(s.team.users.owner), member.id)).path);
    expect(await peekPasswordReset(first)).toBeNull();
    expect(await peekPasswordReset(second)).toEqual({ email: member.email });
  });

  it("is refused for a member who belongs to another company (the CLI serves that case)", async () => {
    const member = await s.team.addUser("member");
    const elsewhere = await seedTeam(s.t.db);
    await s.t.db.insert(memberships).values({ companyId: elsewhere.company.id, userId: member.id, role: "owner" });
    await expect(createPasswordResetLink(await ctxOf(s.team.users.owner), member.id)).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/another company/) });
    await expect(createPasswordResetLink(await ctxOf(s.team.users.admin), member.id)).rejects.toMatchObject({ status: 403 });
  });

  it("is refused to an admin for an owner; an owner may reset an admin", async () => {
    const secondOwner = await s.team.addUser("owner");
    await expect(createPasswordResetLink(await ctxOf(s.team.users.admin), secondOwner.id)).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/owner/) });
    await expect(createPasswordResetLink(await ctxOf(s.team.users.admin), s.team.users.owner.id)).rejects.toMatchObject({ status: 403 });
    const admin = await s.team.addUser("admin");
    expect((await createPasswordResetLink(await ctxOf(s.team.users.owner), admin.id)).path).toMatch(/^\/reset-password\//);
    expect(await s.t.db.select().from(passwordResets).where(eq(passwordResets.userId, secondOwner.id))).toEqual([]);
  });

  it("members, viewers, oneself, non-members and malformed ids are refused", async () => {
    const target = await s.team.addUser("viewer");
    await expect(createPasswordResetLink(await ctxOf(s.team.users.member), target.id)).rejects.toMatchObject({ status: 403 });
    await expect(createPasswordResetLink(await ctxOf(s.team.users.viewer), target.id)).rejects.toMatchObject({ status: 403 });
    await expect(createPasswordResetLink(await ctxOf(s.team.users.owner), s.team.users.owner.id)).rejects.toMatchObject({ status: 400 });
    const stranger = await seedTeam(s.t.db);
    await expect(createPasswordResetLink(await ctxOf(s.team.users.owner), stranger.users.member.id)).rejects.toMatchObject({ status: 404 });
    await expect(createPasswordResetLink(await ctxOf(s.team.users.owner), "not-a-uuid")).rejects.toMatchObject({ status: 404 });
  });

  it("is checked again when used: a member who joined another company meanwhile, or a creator demoted meanwhile, is refused", async () => {
    const member = await s.team.addUser("member");
    const token = tokenOf((await createPasswordResetLink(await ctxOf(s.team.users.owner), member.id)).path);
    const elsewhere = await seedTeam(s.t.db);
    await s.t.db.insert(memberships).values({ companyId: elsewhere.company.id, userId: member.id, role: "member" });
    await expect(resetPasswordWithLink(visitor, token, "takeover-password-1")).rejects.toMatchObject({ status: 403 });
    expect(await signsIn(member.email, "takeover-password-1")).toBe(false);

    const other = await s.team.addUser("member");
    const admin = await s.team.addUser("admin");
    const token2 = tokenOf((await createPasswordResetLink(await ctxOf(admin), other.id)).path);
    await s.t.db.update(memberships).set({ role: "member" }).where(eq(memberships.userId, admin.id));
    await expect(resetPasswordWithLink(visitor, token2, "takeover-password-2")).rejects.toMatchObject({ status: 404 });
    expect(await signsIn(other.email, "takeover-password-2")).toBe(false);
  });

  it("an unknown or absurd token is 404", async () => {
    await expect(resetPasswordWithLink(visitor, "nope", "whatever-password-1")).rejects.toMatchObject({ status: 404 });
    await expect(resetPasswordWithLink(visitor, "x".repeat(5000), "whatever-password-1")).rejects.toMatchObject({ status: 404 });
    expect(await peekPasswordReset("")).toBeNull();
  });
});
