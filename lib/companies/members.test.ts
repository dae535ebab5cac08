import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listInvites, POST as postInvite } from "@/app/api/v1/companies/[companyId]/invites/route";
import { DELETE as deleteMember, PATCH as patchMember } from "@/app/api/v1/companies/[companyId]/members/[userId]/route";
import { invites, memberships } from "@/db/schema";
import { acceptInvite, peekInvite, registerWithInvite, revokeInvite } from "@/lib/companies/service";
import { apiRequest, call } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { contextFor, membershipsOf, problemOf, seedTeam, type SeededUser, type Team } from "@/lib/testing/identity";
import { insertUser } from "@/lib/auth/users";

let t: TestDb;
beforeAll(async () => {
  t = await useTestDb();
});
afterAll(async () => {
  await t?.close();
});

const patch = (team: Team, as: SeededUser, userId: string, body: unknown) =>
  call(patchMember, apiRequest("PATCH", `/api/v1/companies/${team.company.id}/members/${userId}`, { cookie: as.cookie }, body), { companyId: team.company.id, userId });
const remove = (team: Team, as: SeededUser, userId: string) =>
  call(deleteMember, apiRequest("DELETE", `/api/v1/companies/${team.company.id}/members/${userId}`, { cookie: as.cookie }), { companyId: team.company.id, userId });
const roleOf = async (team: Team, userId: string) => (await membershipsOf(t.db, team.company.id)).find((m) => m.userId === userId)?.role ?? null;
const ownerCount = async (team: Team) => (await membershipsOf(t.db, team.company.id)).filter((m) => m.role === "owner").length;

describe("the last-owner rule", () => {
  it("the only owner cannot be demoted or removed (409), by themselves", async () => {
    const team = await seedTeam(t.db);
    const { owner } = team.users;
    for (const role of ["admin", "member", "viewer"]) await problemOf(await patch(team, owner, owner.id, { role }), 409);
    await problemOf(await remove(team, owner, owner.id), 409);
    expect(await roleOf(team, owner.id)).toBe("owner");
    // Changing something else about the only owner is fine.
    const res = await patch(team, owner, owner.id, { role: "owner", manageRegistries: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ userId: owner.id, role: "owner", manageRegistries: false });
  });

  it("with two owners, one can be demoted; then the last one cannot", async () => {
    const team = await seedTeam(t.db);
    const second = await team.addUser("owner");
    const res = await patch(team, team.users.owner, second.id, { role: "admin" });
    expect(res.status).toBe(200);
    expect((await res.json()).role).toBe("admin");
    await problemOf(await patch(team, team.users.owner, team.users.owner.id, { role: "admin" }), 409);
    expect(await ownerCount(team)).toBe(1);
  });

  it("with two owners, one can be removed; then the last one cannot", async () => {
    const team = await seedTeam(t.db);
    const second = await team.addUser("owner");
    expect((await remove(team, second, team.users.owner.id)).status).toBe(204);
    await problemOf(await remove(team, second, second.id), 409);
    expect(await ownerCount(team)).toBe(1);
  });

  // Each acts on themselves, so whoever goes second is still an owner, and the last one: 409.
  it.each([
    { how: "demote themselves", act: (team: Team, a: SeededUser, b: SeededUser) => Promise.all([patch(team, a, a.id, { role: "admin" }), patch(team, b, b.id, { role: "viewer" })]) },
    { how: "leave", act: (team: Team, a: SeededUser, b: SeededUser) => Promise.all([remove(team, a, a.id), remove(team, b, b.id)]) },
    { how: "demote themselves and leave", act: (team: Team, a: SeededUser, b: SeededUser) => Promise.all([patch(team, a, a.id, { role: "member" }), remove(team, b, b.id)]) },
  ])("two owners who $how at once: one succeeds, the other gets 409, one owner remains", async ({ act }) => {
    const team = await seedTeam(t.db);
    const a = team.users.owner;
    const b = await team.addUser("owner");
    const results = await act(team, a, b);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 409)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200 || s === 204)).toHaveLength(1);
    const conflict = results.find((r) => r.status === 409)!;
    expect((await conflict.json()).detail).toMatch(/at least one owner/);
    expect(await ownerCount(team)).toBe(1);
  });

  // Acting on each other, the second request may instead find its caller demoted (403) or
  // removed (404) by the first, or signed out (401): removal from a user's last company ends
  // their sessions; never a 500, and never no owner.
  it.each([
    { how: "demote each other", act: (team: Team, a: SeededUser, b: SeededUser) => Promise.all([patch(team, a, b.id, { role: "admin" }), patch(team, b, a.id, { role: "admin" })]), loser: [403, 409] },
    { how: "remove each other", act: (team: Team, a: SeededUser, b: SeededUser) => Promise.all([remove(team, a, b.id), remove(team, b, a.id)]), loser: [401, 404, 409] },
    { how: "demote and remove each other", act: (team: Team, a: SeededUser, b: SeededUser) => Promise.all([patch(team, a, b.id, { role: "member" }), remove(team, b, a.id)]), loser: [401, 403, 404, 409] },
  ])("two owners who $how at once: one succeeds, the other is refused, one owner remains", async ({ act, loser }) => {
    for (let round = 0; round < 3; round++) {
      const team = await seedTeam(t.db);
      const results = await act(team, team.users.owner, await team.addUser("owner"));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200 || s === 204), String(statuses)).toHaveLength(1);
      expect(loser, String(statuses)).toContain(statuses.find((s) => s !== 200 && s !== 204));
      expect(await ownerCount(team)).toBe(1);
    }
  });

  it("admins cannot grant or take away the owner role (403)", async () => {
    const team = await seedTeam(t.db);
    const { admin, owner, viewer } = team.users;
    await problemOf(await patch(team, admin, viewer.id, { role: "owner" }), 403);
    await problemOf(await patch(team, admin, admin.id, { role: "owner" }), 403);
    await problemOf(await patch(team, admin, owner.id, { role: "admin" }), 403);
    await problemOf(await remove(team, admin, owner.id), 403);
    const invite = await call(postInvite, apiRequest("POST", `/api/v1/companies/${team.company.id}/invites`, { cookie: admin.cookie }, { email: "new-owner@example.test", role: "owner" }), {
      companyId: team.company.id,
    });
    await problemOf(invite, 403);
    expect(await roleOf(team, viewer.id)).toBe("viewer");
    expect(await roleOf(team, admin.id)).toBe("admin");
    expect(await roleOf(team, owner.id)).toBe("owner");
    // …but they manage everyone else.
    expect((await patch(team, admin, viewer.id, { role: "admin", manageRegistries: true })).status).toBe(200);
    expect((await remove(team, admin, team.users.member.id)).status).toBe(204);
    // An owner can make an owner.
    expect((await patch(team, owner, admin.id, { role: "owner" })).status).toBe(200);
    expect(await ownerCount(team)).toBe(2);
  });

  it("PATCH with a bad body → 400 with the path; a non-JSON body → 415", async () => {
    const team = await seedTeam(t.db);
    const problem = await problemOf(await patch(team, team.users.owner, team.users.viewer.id, { role: "superuser" }), 400);
    expect(problem.errors?.map((e) => e.path)).toEqual(["role"]);
    const res = await call(
      patchMember,
      apiRequest("PATCH", `/api/v1/companies/${team.company.id}/members/${team.users.viewer.id}`, { cookie: team.users.owner.cookie }, "role=admin", { "content-type": "text/plain" }),
      { companyId: team.company.id, userId: team.users.viewer.id },
    );
    await problemOf(res, 415);
  });

  it("PATCH with nothing to change → 400 (it was a 500: an UPDATE without columns), and nothing changes", async () => {
    const team = await seedTeam(t.db);
    const problem = await problemOf(await patch(team, team.users.owner, team.users.viewer.id, {}), 400);
    expect(problem.errors?.map((e) => e.path)).toEqual([""]);
    expect(await roleOf(team, team.users.viewer.id)).toBe("viewer");
  });
});

describe("invites", () => {
  let team: Team;
  beforeAll(async () => {
    team = await seedTeam(t.db);
  });

  async function invite(email: string, role = "member", manageRegistries = false, as = team.users.admin) {
    const res = await call(postInvite, apiRequest("POST", `/api/v1/companies/${team.company.id}/invites`, { cookie: as.cookie }, { email, role, manageRegistries }), { companyId: team.company.id });
    const body = await res.json();
    return { res, body, token: typeof body.invitePath === "string" ? body.invitePath.replace(/^\/invite\//, "") : "" };
  }
  const actor = { requestId: "test" };

  it("the link is shown once: in the POST answer only; the database stores a hash", async () => {
    const { res, body, token } = await invite("Newbie@Example.test", "member", true);
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(body).toMatchObject({ email: "newbie@example.test", role: "member", manageRegistries: true, acceptedAt: null });
    expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    const [row] = await t.db.select().from(invites).where(eq(invites.id, body.id));
    expect(row!.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(token);

    const list = await call(listInvites, apiRequest("GET", `/api/v1/companies/${team.company.id}/invites`, { cookie: team.users.owner.cookie }), { companyId: team.company.id });
    const text = await list.text();
    expect(text).not.toContain(token);
    expect(JSON.parse(text).items.map((i: { id: string }) => i.id)).toContain(body.id);
  });

  it("accepting works once, with the invited role", async () => {
    const { token } = await invite("joiner@example.test", "member", true);
    expect(await peekInvite(token)).toMatchObject({ email: "joiner@example.test", role: "member", companySlug: team.company.slug });
    const user = await insertUser(t.db, { email: "JOINER@example.test", password: "joiner-password" });
    expect(await acceptInvite({ userId: user.id, email: user.email, ip: null, ...actor }, token)).toEqual({ companySlug: team.company.slug });
    const [m] = await t.db.select().from(memberships).where(and(eq(memberships.companyId, team.company.id), eq(memberships.userId, user.id)));
    expect(m).toMatchObject({ role: "member", manageRegistries: true });

    await expect(acceptInvite({ userId: user.id, email: user.email, ip: null, ...actor }, token)).rejects.toMatchObject({ status: 404 });
    expect(await peekInvite(token)).toBeNull();
    const other = await insertUser(t.db, { email: "joiner2@example.test", password: "joiner-password" });
    await expect(acceptInvite({ userId: other.id, email: other.email, ip: null, ...actor }, token)).rejects.toMatchObject({ status: 404 });
  });

  it("two concurrent accepts: exactly one wins", async () => {
    const { token } = await invite("racer@example.test", "viewer");
    const user = await insertUser(t.db, { email: "racer@example.test", password: "racer-password" });
    const results = await Promise.allSettled([acceptInvite({ userId: user.id, email: user.email, ip: null, ...actor }, token), acceptInvite({ userId: user.id, email: user.email, ip: null, ...actor }, token)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("a visitor registers with an invite once", async () => {
    const { token } = await invite("visitor@example.test", "viewer");
    expect(await registerWithInvite(actor, token, { name: "Vis", password: "visitor-password" })).toEqual({ email: "visitor@example.test", companySlug: team.company.slug });
    await expect(registerWithInvite(actor, token, { password: "visitor-password" })).rejects.toMatchObject({ status: 404 });
  });

  it("an expired invite is refused (and no longer listed)", async () => {
    const { token, body } = await invite("late@example.test");
    await t.db.update(invites).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invites.id, body.id));
    const user = await insertUser(t.db, { email: "late@example.test", password: "late-password" });
    expect(await peekInvite(token)).toBeNull();
    await expect(acceptInvite({ userId: user.id, email: user.email, ip: null, ...actor }, token)).rejects.toMatchObject({ status: 404 });
    await expect(registerWithInvite(actor, token, { password: "late-password" })).rejects.toMatchObject({ status: 404 });
    expect(await membershipsOf(t.db, team.company.id)).not.toContainEqual(expect.objectContaining({ userId: user.id }));
    const list = await call(listInvites, apiRequest("GET", `/api/v1/companies/${team.company.id}/invites`, { cookie: team.users.owner.cookie }), { companyId: team.company.id });
    expect((await list.json()).items.map((i: { id: string }) => i.id)).not.toContain(body.id);
  });

  it("an invite for another email is refused, and stays usable by the right one", async () => {
    const { token } = await invite("right@example.test", "admin");
    const wrong = await insertUser(t.db, { email: "wrong@example.test", password: "wrong-password" });
    await expect(acceptInvite({ userId: wrong.id, email: wrong.email, ip: null, ...actor }, token)).rejects.toMatchObject({ status: 404 });
    expect(await membershipsOf(t.db, team.company.id)).not.toContainEqual(expect.objectContaining({ userId: wrong.id }));
    const right = await insertUser(t.db, { email: "right@example.test", password: "right-password" });
    await acceptInvite({ userId: right.id, email: right.email, ip: null, ...actor }, token);
    expect(await roleOf(team, right.id)).toBe("admin");
  });

  it("a revoked invite is refused", async () => {
    const { token, body } = await invite("revoked@example.test");
    await revokeInvite(await contextFor(team.company.id, { cookie: team.users.admin.cookie }), body.id);
    const user = await insertUser(t.db, { email: "revoked@example.test", password: "revoked-password" });
    expect(await peekInvite(token)).toBeNull();
    await expect(acceptInvite({ userId: user.id, email: user.email, ip: null, ...actor }, token)).rejects.toMatchObject({ status: 404 });
  });

  it("an unknown invite token is refused", async () => {
    const user = await insertUser(t.db, { email: "nobody@example.test", password: "nobody-password" });
    await expect(acceptInvite({ userId: user.id, email: user.email, ip: null, ...actor }, "not-a-real-invite-token")).rejects.toMatchObject({ status: 404 });
  });

  it("inviting an existing member → 409 (whatever the case of the email)", async () => {
    for (const email of [team.users.viewer.email, team.users.viewer.email.toUpperCase()]) {
      const { res, body } = await invite(email);
      expect(res.status).toBe(409);
      expect(body.errors).toEqual([{ path: "email", message: "Already a member" }]);
    }
    const rows = await t.db.select().from(invites).where(eq(invites.email, team.users.viewer.email));
    expect(rows).toHaveLength(0);
  });

  it("a bad invite body → 400 with the path", async () => {
    const { res, body } = await invite("not-an-email");
    expect(res.status).toBe(400);
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(["email"]);
  });
});
