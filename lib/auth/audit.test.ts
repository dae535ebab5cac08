import { beforeAll, describe, expect, it } from "vitest";
import { GET as listAudit } from "@/app/api/v1/companies/[companyId]/audit-events/route";
import { POST as postInvite } from "@/app/api/v1/companies/[companyId]/invites/route";
import { DELETE as deleteMember, PATCH as patchMember } from "@/app/api/v1/companies/[companyId]/members/[userId]/route";
import { DELETE as revokeToken } from "@/app/api/v1/companies/[companyId]/tokens/[tokenId]/route";
import { POST as createToken } from "@/app/api/v1/companies/[companyId]/tokens/route";
import { listAuditEvents } from "@/lib/audit-log";
import { acceptInvite } from "@/lib/companies/service";
import { apiRequest, call } from "@/lib/testing/auth";
import { auditRows, contextFor, problemOf, seedTeam, setUpSeededTeam, tokenFor } from "@/lib/testing/identity";
import { insertUser } from "@/lib/auth/users";
import { checkCredentials } from "./sign-in";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";

const s = setUpSeededTeam();
/** Every secret the tests below use: none may appear in any audit row. */
const secrets = new Set<string>(["owner-password-1", "member-password-1"]);

const base = () => `/api/v1/companies/${s.team.company.id}`;
const asOwner = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  apiRequest(method, base() + path, { cookie: s.team.users.owner.cookie, peer: "192.0.2.44" }, body, headers);

async function audit(query: string, cookie = s.team.users.owner.cookie) {
  const res = await call(listAudit, apiRequest("GET", `${base()}/audit-events${query}`, { cookie }), { companyId: s.team.company.id });
  return { res, body: res.status === 200 ? await res.json() : null };
}

describe("audited actions", () => {
  it("company creation", async () => {
    const rows = await auditRows(s.t.db, s.team.company.id);
    expect(rows).toContainEqual(
      expect.objectContaining({ action: "company.created", actorUserId: s.team.users.owner.id, targetType: "company", targetId: s.team.company.id, metadata: { slug: s.team.company.slug, name: s.team.company.name } }),
    );
  });

  it("sign-in success and failure (for each company of the user)", async () => {
    const headers = new Headers({ [PEER_HEADER]: stampedPeer("198.51.100.23") });
    expect((await checkCredentials(s.team.users.member.email, "member-password-1", headers, "req-ok")).ok).toBe(true);
    expect((await checkCredentials(s.team.users.member.email, "not-the-password", headers, "req-bad")).ok).toBe(false);
    secrets.add("not-the-password");
    const rows = (await auditRows(s.t.db, s.team.company.id)).filter((r) => r.actorUserId === s.team.users.member.id);
    expect(rows).toContainEqual(
      expect.objectContaining({ action: "auth.signed_in", requestId: "req-ok", ip: "198.51.100.23", targetId: s.team.users.member.id, metadata: { email: s.team.users.member.email, method: "password" } }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ action: "auth.sign_in_failed", requestId: "req-bad", metadata: { email: s.team.users.member.email, reason: "invalid_credentials" } }),
    );
    // An unknown email is audited without a company.
    await checkCredentials("ghost@example.test", "ghost-password", headers, "req-ghost");
    secrets.add("ghost-password");
    const all = await auditRows(s.t.db);
    expect(all).toContainEqual(expect.objectContaining({ action: "auth.sign_in_failed", companyId: null, actorUserId: null, requestId: "req-ghost", metadata: { email: "ghost@example.test", reason: "invalid_credentials" } }));
  });

  it("member role change and removal", async () => {
    const target = await s.team.addUser("viewer");
    const res = await call(patchMember, asOwner("PATCH", `/members/${target.id}`, { role: "member", manageRegistries: true }, { "x-request-id": "req-patch" }), { companyId: s.team.company.id, userId: target.id });
    expect(res.status).toBe(200);
    const del = await call(deleteMember, asOwner("DELETE", `/members/${target.id}`, undefined, { "x-request-id": "req-del" }), { companyId: s.team.company.id, userId: target.id });
    expect(del.status).toBe(204);
    const rows = await auditRows(s.t.db, s.team.company.id);
    expect(rows).toContainEqual(
      expect.objectContaining({
        action: "member.updated",
        actorUserId: s.team.users.owner.id,
        targetType: "user",
        targetId: target.id,
        ip: "192.0.2.44",
        requestId: "req-patch",
        metadata: { from: { role: "viewer", manageRegistries: false }, changes: { role: "member", manageRegistries: true } },
      }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ action: "member.removed", targetId: target.id, requestId: "req-del", metadata: { role: "member" } }));
  });

  it("invite creation and acceptance", async () => {
    const res = await call(postInvite, asOwner("POST", "/invites", { email: "audited@example.test", role: "viewer" }), { companyId: s.team.company.id });
    expect(res.status).toBe(201);
    const body = await res.json();
    const token = body.invitePath.replace("/invite/", "");
    secrets.add(token);
    const user = await insertUser(s.t.db, { email: "audited@example.test", password: "audited-password" });
    secrets.add("audited-password");
    await acceptInvite({ userId: user.id, email: user.email, ip: null, requestId: "req-accept" }, token);
    const rows = await auditRows(s.t.db, s.team.company.id);
    expect(rows).toContainEqual(
      expect.objectContaining({ action: "member.invited", targetType: "invite", targetId: body.id, metadata: { email: "audited@example.test", role: "viewer", manageRegistries: false } }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ action: "member.joined", actorUserId: user.id, requestId: "req-accept", metadata: { role: "viewer", inviteId: body.id } }));
  });

  it("token creation and revocation", async () => {
    const res = await call(createToken, asOwner("POST", "/tokens", { name: "audited", scopes: ["registries:read"], cidrAllowlist: ["10.0.0.0/8"] }), { companyId: s.team.company.id });
    expect(res.status).toBe(201);
    const created = await res.json();
    secrets.add(created.token);
    const del = await call(revokeToken, asOwner("DELETE", `/tokens/${created.id}`), { companyId: s.team.company.id, tokenId: created.id });
    expect(del.status).toBe(204);
    const rows = await auditRows(s.t.db, s.team.company.id);
    expect(rows).toContainEqual(
      expect.objectContaining({
        action: "token.created",
        actorUserId: s.team.users.owner.id,
        targetType: "api_token",
        targetId: created.id,
        metadata: { name: "audited", scopes: ["registries:read"], expiresAt: null, cidrAllowlist: ["10.0.0.0/8"], registryIds: null },
      }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ action: "token.revoked", targetId: created.id, metadata: { name: "audited" } }));
    // Revoking again is not a second event.
    await call(revokeToken, asOwner("DELETE", `/tokens/${created.id}`), { companyId: s.team.company.id, tokenId: created.id });
    expect((await auditRows(s.t.db, s.team.company.id)).filter((r) => r.action === "token.revoked" && r.targetId === created.id)).toHaveLength(1);
  });

});

describe("GET audit-events", () => {
  beforeAll(async () => {
    // Some volume: 12 token events by two actors.
    for (let i = 0; i < 6; i++) {
      for (const who of [s.team.users.owner, s.team.users.admin]) {
        const res = await call(createToken, apiRequest("POST", `${base()}/tokens`, { cookie: who.cookie }, { name: `bulk-${i}`, scopes: ["registries:read"] }), { companyId: s.team.company.id });
        secrets.add((await res.json()).token);
      }
    }
  });

  it("newest first, with the actor's email", async () => {
    const { body } = await audit("?limit=100");
    const ids = body.items.map((e: { id: string }) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(body.items.length).toBe((await auditRows(s.t.db, s.team.company.id)).length);
    expect(body.items.find((e: { action: string }) => e.action === "company.created").actor).toEqual({ userId: s.team.users.owner.id, email: s.team.users.owner.email, tokenId: null });
  });

  it("filters by action and by actor", async () => {
    const byAction = (await audit("?filter.action=token.created&limit=100")).body;
    expect(byAction.items.length).toBeGreaterThanOrEqual(12);
    expect(new Set(byAction.items.map((e: { action: string }) => e.action))).toEqual(new Set(["token.created"]));

    const byActor = (await audit(`?filter.actor=${s.team.users.admin.id}&limit=100`)).body;
    expect(byActor.items.length).toBeGreaterThanOrEqual(6);
    expect(new Set(byActor.items.map((e: { actor: { userId: string } }) => e.actor.userId))).toEqual(new Set([s.team.users.admin.id]));

    const both = (await audit(`?filter.action=token.created&filter.actor=${s.team.users.admin.id}&limit=100`)).body;
    expect(both.items).toHaveLength(6);
    expect((await audit("?filter.action=no.such.action")).body).toEqual({ items: [], limit: 50, nextPageToken: null });
  });

  it.each([
    { name: "everything", filter: "" },
    { name: "token.created", filter: "&filter.action=token.created" },
    { name: "the owner's events", filter: "&filter.actor=OWNER" },
  ])("pages through $name with keyset tokens: no duplicates, no gaps", async ({ filter }) => {
    const f = filter.replace("OWNER", s.team.users.owner.id);
    const all = (await audit(`?limit=100${f}`)).body.items.map((e: { id: string }) => e.id);
    expect(all.length).toBeGreaterThan(5);
    for (const limit of [1, 2, 5]) {
      const seen: string[] = [];
      let next: string | null = null;
      let pages = 0;
      do {
        const { body }: { body: { items: { id: string }[]; limit: number; nextPageToken: string | null } } = await audit(`?limit=${limit}${f}${next ? `&pagination.token=${next}` : ""}`);
        expect(body.limit).toBe(limit);
        expect(body.items.length).toBeLessThanOrEqual(limit);
        seen.push(...body.items.map((e) => e.id));
        next = body.nextPageToken;
        pages++;
      } while (next && pages < 500);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / limit));
    }
  });

  it("events written while paging do not shift later pages", async () => {
    const first = (await audit("?limit=3")).body;
    await call(createToken, apiRequest("POST", `${base()}/tokens`, { cookie: s.team.users.owner.cookie }, { name: "mid-page", scopes: ["registries:read"] }), { companyId: s.team.company.id });
    const second = (await audit(`?limit=3&pagination.token=${first.nextPageToken}`)).body;
    expect(Number(second.items[0].id)).toBeLessThan(Number(first.items[2].id));
    const ids = [...first.items, ...second.items].map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(6);
  });

  it("another company's events are not listed", async () => {
    const other = await seedTeam(s.t.db);
    const { body } = await audit("?limit=100");
    expect(body.items.map((e: { targetId: string }) => e.targetId)).not.toContain(other.company.id);
  });

  it.each(["?limit=0", "?limit=101", "?limit=abc", "?pagination.token=abc", "?pagination.token=-1", "?filter.actor=not-a-uuid"])("400 for %s", async (query) => {
    const { res } = await audit(query);
    await problemOf(res, 400);
  });
});

describe("listAuditEvents checks its own permission", () => {
  it("owners and admins by session read it; members, viewers and any token are 403", async () => {
    const c = s.team.company.id;
    for (const who of [s.team.users.owner, s.team.users.admin]) {
      const page = await listAuditEvents(await contextFor(c, { cookie: who.cookie }), { limit: 5 });
      expect(page.items.length).toBeGreaterThan(0);
    }
    for (const who of [s.team.users.member, s.team.users.memberMr, s.team.users.viewer]) {
      await expect(listAuditEvents(await contextFor(c, { cookie: who.cookie }), { limit: 5 })).rejects.toMatchObject({ status: 403 });
    }
    const { token } = await tokenFor(s.t.db, c, s.team.users.owner.id);
    secrets.add(token);
    await expect(listAuditEvents(await contextFor(c, { token }), { limit: 5 })).rejects.toMatchObject({ status: 403 });
  });
});

describe("secrets", () => {
  it("no audit row contains a password or a token", async () => {
    const rows = await auditRows(s.t.db);
    expect(rows.length).toBeGreaterThan(10);
    expect(secrets.size).toBeGreaterThanOrEqual(6);
    const text = JSON.stringify(rows);
    for (const secret of secrets) expect(text, "audit rows leak a secret").not.toContain(secret);
    expect(text).not.toMatch(/brt_[A-Za-z0-9_-]{20,}/);
    expect(text).not.toMatch(/\$argon2/);
    expect(text).not.toMatch(/"password"\s*:/i);
  });
});
