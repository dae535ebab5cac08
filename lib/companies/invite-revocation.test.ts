import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteMember, PATCH as patchMember } from "@/app/api/v1/companies/[companyId]/members/[userId]/route";
import { auditRows, contextFor, seedTeam, type SeededUser, type Team } from "@/lib/testing/identity";
import { apiRequest, call } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { createInvite, listPendingInvites, peekInvite } from "./service";

let t: TestDb;
beforeAll(async () => {
  t = await useTestDb();
});
afterAll(async () => {
  await t?.close();
});

const patch = (team: Team, userId: string, body: unknown) =>
  call(patchMember, apiRequest("PATCH", `/api/v1/companies/${team.company.id}/members/${userId}`, { cookie: team.users.owner.cookie }, body), { companyId: team.company.id, userId });
const remove = (team: Team, userId: string) =>
  call(deleteMember, apiRequest("DELETE", `/api/v1/companies/${team.company.id}/members/${userId}`, { cookie: team.users.owner.cookie }), { companyId: team.company.id, userId });
let seq = 0;
const invite = async (team: Team, by: SeededUser, role = "member") => (await createInvite(await contextFor(team.company.id, { cookie: by.cookie }), { email: `invitee-${seq++}@example.test`, role })).token;

describe("invites made by an admin who loses the role", () => {
  it("are revoked when the admin is demoted", async () => {
    const team = await seedTeam(t.db);
    const admin = await team.addUser("admin");
    const tokens = [await invite(team, admin), await invite(team, admin, "viewer")];
    const ownersInvite = await invite(team, team.users.owner);
    expect((await patch(team, admin.id, { role: "member" })).status).toBe(200);
    for (const token of tokens) expect(await peekInvite(token)).toBeNull();
    expect(await peekInvite(ownersInvite), "other people's invites stay").not.toBeNull();
    const rows = await auditRows(t.db, team.company.id);
    expect(rows).toContainEqual(expect.objectContaining({ action: "member.invites_revoked", targetId: admin.id, metadata: expect.objectContaining({ reason: "demoted" }) }));
  });

  it("are revoked when the admin is removed", async () => {
    const team = await seedTeam(t.db);
    const admin = await team.addUser("admin");
    const token = await invite(team, admin);
    expect((await remove(team, admin.id)).status).toBe(204);
    expect(await peekInvite(token)).toBeNull();
    expect((await listPendingInvites(await contextFor(team.company.id, { cookie: team.users.owner.cookie }))).map((i) => i.email)).toEqual([]);
  });

  it("an owner made admin keeps the invites an admin may make, and loses those granting ownership", async () => {
    const team = await seedTeam(t.db);
    const second = await team.addUser("owner");
    const asMember = await invite(team, second, "member");
    const asOwner = await invite(team, second, "owner");
    expect((await patch(team, second.id, { role: "admin" })).status).toBe(200);
    expect(await peekInvite(asMember)).not.toBeNull();
    expect(await peekInvite(asOwner)).toBeNull();
  });

  it("a change that keeps the role (or only the registries flag) revokes nothing", async () => {
    const team = await seedTeam(t.db);
    const admin = await team.addUser("admin");
    const token = await invite(team, admin);
    expect((await patch(team, admin.id, { role: "admin", manageRegistries: true })).status).toBe(200);
    expect(await peekInvite(token)).not.toBeNull();
  });
});
