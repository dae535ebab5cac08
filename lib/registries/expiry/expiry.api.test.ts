/**
 * Expiry end to end: `expiresAt` through create, PUT and PATCH; GitHub and GitLab detection
 * against local fakes of their API hosts named by `expiryApiUrl` (allowed by
 * OUTBOUND_ALLOW_CIDRS=127.0.0.1/32); `expiryApiUrl` is part of the binding; the sweep enqueues
 * expiring and expired once per value (fixed clock); the banner's counts.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiTokens, registries, webhookEvents } from "@/db/schema";
import { resolveContext } from "@/lib/context";
import { settleDeliveries } from "@/lib/notifications/delivery";
import { createWebhook } from "@/lib/notifications/webhooks";
import { apiRequest } from "@/lib/testing/auth";
import { startFakeGithubApi, startFakeGitlabApi } from "@/lib/testing/fake-provider-apis";
import { seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver";
import { createRecorder } from "../registries.testkit";
import { sweepExpiry } from "./sweep";
import { expirySummary } from "./summary";

let t: TestDb;
let team: Team;
let github: Awaited<ReturnType<typeof startFakeGithubApi>>;
let gitlab: Awaited<ReturnType<typeof startFakeGitlabApi>>;
let receiver: WebhookReceiver;
const rec = createRecorder();
const api = rec.api("v1");
const owner = () => ({ cookie: team.users.owner.cookie });

const GH_EXPIRING = "ghp_expiringTokenAAAAAAAAAAAAAAAAAAAAA1";
const GH_FOREVER = "ghp_foreverTokenBBBBBBBBBBBBBBBBBBBBBBB2";
const GH_OFFSET = "ghp_offsetTokenCCCCCCCCCCCCCCCCCCCCCCCC3";
const GL_TOKEN = "glpat-expiringGitlabToken0001";
const GL_REVOKED = "glpat-revokedGitlabToken0002";

beforeAll(async () => {
  t = await useTestDb();
  team = await seedTeam(t.db);
  github = await startFakeGithubApi({ [GH_EXPIRING]: { expiration: "2026-12-31 12:00:00 UTC" }, [GH_FOREVER]: {}, [GH_OFFSET]: { expiration: "2027-01-15 08:30:00 +0000" } });
  gitlab = await startFakeGitlabApi({ [GL_TOKEN]: { expires_at: "2026-10-01", scopes: ["read_registry"], revoked: false }, [GL_REVOKED]: { expires_at: "2026-10-01", scopes: ["read_registry"], revoked: true } });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await settleDeliveries();
  await Promise.all([github?.close(), gitlab?.close(), receiver?.close()]);
  rec.assertNoSecretLeaked(10, 3);
  await t?.close();
});

let seq = 0;
const ghcrBody = (token: string, extra: Record<string, unknown> = {}) => ({
  name: `gh ${seq++}`,
  type: "ghcr",
  credentials: { username: "octocat", token, url: `ghcr.io/org-${seq++}`, detectExpiry: true, expiryApiUrl: github.url, ...extra },
});

describe("expiresAt through the API", () => {
  it("is set on create, kept when omitted, replaced by PATCH and PUT, cleared by null; a past time is accepted", async () => {
    const created = await api.create(owner(), team.company.id, { name: "hand set", type: "custom", expiresAt: "2030-01-02T03:04:05+02:00", credentials: { url: "hand.example.com", token: "a-custom-token-1" } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ expiresAt: "2030-01-02T01:04:05.000Z", expiry: { source: "user", checkedAt: null } });
    const id = created.body.id as string;
    expect((await api.patch(owner(), team.company.id, id, { name: "hand set 2" })).body.expiresAt).toBe("2030-01-02T01:04:05.000Z");
    expect((await api.patch(owner(), team.company.id, id, { expiresAt: "2001-01-01T00:00:00Z" })).body.expiresAt).toBe("2001-01-01T00:00:00.000Z");
    const put = await api.put(owner(), team.company.id, id, { name: "hand set 2", type: "custom", expiresAt: "2031-05-05T00:00:00Z", credentials: { url: "hand.example.com" } });
    expect(put.status, put.text).toBe(200);
    expect(put.body.expiresAt).toBe("2031-05-05T00:00:00.000Z");
    const cleared = await api.patch(owner(), team.company.id, id, { expiresAt: null });
    expect(cleared.body).toMatchObject({ expiresAt: null, expiry: { source: null } });
    expect((await api.get(owner(), team.company.id, id)).body.expiresAt).toBeNull();
  });

  it("refuses what is not an ISO time (400 naming expiresAt), and any expiry on ECR", async () => {
    for (const expiresAt of ["tomorrow", "2026-13-01T00:00:00Z", 12345, "2026-01-01"]) {
      const a = await api.create(owner(), team.company.id, { name: `bad ${seq++}`, type: "custom", expiresAt, credentials: { url: `bad${seq}.example.com`, token: "a-custom-token-2" } });
      expect(a.status, String(expiresAt)).toBe(400);
      expect(a.body.errors.map((e: { path: string }) => e.path)).toEqual(["expiresAt"]);
    }
    const ecr = await api.create(owner(), team.company.id, {
      name: "ecr expiry",
      type: "ecr",
      expiresAt: "2030-01-01T00:00:00Z",
      credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "eu-west-1" },
    });
    expect(ecr.status).toBe(400);
    expect(ecr.body.errors).toEqual([{ path: "expiresAt", message: expect.stringMatching(/last exchange/) }]);
  });
});

describe("detection", () => {
  it("GitHub: reads the expiration header from expiryApiUrl when the registry is saved", async () => {
    const before = github.requests.length;
    const created = await api.create(owner(), team.company.id, ghcrBody(GH_EXPIRING));
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      expiresAt: "2026-12-31T12:00:00.000Z",
      expiry: { source: "detected", detectedExpiresAt: "2026-12-31T12:00:00.000Z", checkedAt: expect.any(String), message: "GitHub says the token expires at 2026-12-31T12:00:00.000Z" },
    });
    expect(github.requests.slice(before)).toEqual([expect.objectContaining({ path: "/user", headers: expect.objectContaining({ authorization: `token ${GH_EXPIRING}` }) })]);
    const offset = await api.create(owner(), team.company.id, ghcrBody(GH_OFFSET));
    expect(offset.body.expiresAt).toBe("2027-01-15T08:30:00.000Z");
    const forever = await api.create(owner(), team.company.id, ghcrBody(GH_FOREVER));
    expect(forever.body).toMatchObject({ expiresAt: null, expiry: { source: null, message: "GitHub says the token does not expire" } });
  });

  it("GitHub: a refused token is a message, not a failed save; nothing is sent without the opt-in", async () => {
    const refused = await api.create(owner(), team.company.id, ghcrBody("ghp_unknownTokenDDDDDDDDDDDDDDDDDDDDDDD4"));
    expect(refused.status).toBe(201);
    expect(refused.body).toMatchObject({ expiresAt: null, expiry: { message: expect.stringMatching(/refused the token/) } });
    const before = github.requests.length;
    const off = await api.create(owner(), team.company.id, ghcrBody(GH_EXPIRING, { detectExpiry: false }));
    expect(off.body).toMatchObject({ expiresAt: null, expiry: { checkedAt: null } });
    expect(github.requests.length).toBe(before);
  });

  it("GitLab: reads personal_access_tokens/self with PRIVATE-TOKEN; a revoked token says so", async () => {
    const body = (token: string) => ({ name: `gl ${seq++}`, type: "gitlab", credentials: { username: "me", token, url: `gitlab-${seq++}.example.com`, detectExpiry: true, expiryApiUrl: gitlab.url } });
    const created = await api.create(owner(), team.company.id, body(GL_TOKEN));
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ expiresAt: "2026-10-01T00:00:00.000Z", expiry: { source: "detected" } });
    expect(gitlab.requests.at(-1)).toMatchObject({ path: "/api/v4/personal_access_tokens/self", headers: expect.objectContaining({ "private-token": GL_TOKEN }) });
    const revoked = await api.create(owner(), team.company.id, body(GL_REVOKED));
    expect(revoked.body).toMatchObject({ expiresAt: null, expiry: { message: "GitLab says the token is revoked" } });
  });

  it("a date set by hand is kept, and the message says what the provider said", async () => {
    const created = await api.create(owner(), team.company.id, { ...ghcrBody(GH_EXPIRING), expiresAt: "2026-11-01T00:00:00Z" });
    expect(created.body).toMatchObject({
      expiresAt: "2026-11-01T00:00:00.000Z",
      expiry: { source: "user", detectedExpiresAt: "2026-12-31T12:00:00.000Z", message: expect.stringMatching(/set by hand .* is kept/) },
    });
    // Clearing the date by hand and saving again lets the detected one in.
    const cleared = await api.patch(owner(), team.company.id, created.body.id, { expiresAt: null });
    expect(cleared.body).toMatchObject({ expiresAt: "2026-12-31T12:00:00.000Z", expiry: { source: "detected" } });
  });

  it("a new token drops the detected date of the old one and reads the new one's", async () => {
    const created = await api.create(owner(), team.company.id, ghcrBody(GH_EXPIRING));
    const renewed = await api.patch(owner(), team.company.id, created.body.id, { credentials: { token: GH_OFFSET } });
    expect(renewed.body.expiresAt).toBe("2027-01-15T08:30:00.000Z");
  });

  it("the policy applies: an API on a loopback address outside OUTBOUND_ALLOW_CIDRS is refused before any connection", async () => {
    const created = await api.create(owner(), team.company.id, ghcrBody(GH_EXPIRING, { expiryApiUrl: github.url.replace("127.0.0.1", "127.0.0.2") }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ expiresAt: null, expiry: { message: expect.stringMatching(/outbound policy refuses/) } });
  });
});

describe("expiryApiUrl is part of the binding", () => {
  it("changing it without the token is a 400 naming the token; with the token it is saved", async () => {
    const created = await api.create(owner(), team.company.id, ghcrBody(GH_EXPIRING));
    const id = created.body.id as string;
    const elsewhere = "http://127.0.0.1:9";
    const moved = await api.patch(owner(), team.company.id, id, { credentials: { expiryApiUrl: elsewhere } });
    expect(moved.status).toBe(400);
    expect(moved.body.errors).toEqual([{ path: "credentials.token", message: expect.stringMatching(/enter this secret again/) }]);
    expect(moved.body.detail).toMatch(/expiryApiUrl/);
    const put = await api.put(owner(), team.company.id, id, { name: created.body.name, type: "ghcr", credentials: { ...created.body.credentials, expiryApiUrl: elsewhere } });
    expect(put.status).toBe(400);
    const [row] = await t.db.select().from(registries).where(eq(registries.id, id));
    expect((row!.credentials as Record<string, unknown>).expiryApiUrl).toBe(github.url);
    // Turning detection off is no binding change; giving the token again allows the move.
    expect((await api.patch(owner(), team.company.id, id, { credentials: { detectExpiry: false } })).status).toBe(200);
    const withToken = await api.patch(owner(), team.company.id, id, { credentials: { expiryApiUrl: elsewhere, token: GH_FOREVER } });
    expect(withToken.status, withToken.text).toBe(200);
    expect(withToken.body.credentials.expiryApiUrl).toBe(elsewhere);
  });
});

describe("the sweep and the banner (fixed clock)", () => {
  it("enqueues expiring then expired once per registry and expiresAt value", async () => {
    const sweepTeam = await seedTeam(t.db);
    const ctx = await resolveContext(apiRequest("GET", "/", { cookie: sweepTeam.users.owner.cookie }).headers, sweepTeam.company.id, "test");
    const hook = await createWebhook(ctx, { url: receiver.url, events: ["registry.expiring", "registry.expired"] });
    const me = { cookie: sweepTeam.users.owner.cookie };
    const at = "2026-06-20T00:00:00.000Z";
    const reg = await api.create(me, sweepTeam.company.id, { name: "sweeps", type: "custom", expiresAt: at, credentials: { url: "sweeps.example.com", token: "a-custom-token-3" } });
    await api.create(me, sweepTeam.company.id, { name: "far", type: "custom", expiresAt: "2027-01-01T00:00:00Z", credentials: { url: "far.example.com", token: "a-custom-token-4" } });
    const events = async () => (await t.db.select().from(webhookEvents).where(eq(webhookEvents.companyId, sweepTeam.company.id))).map((e) => e.type);

    await sweepExpiry(t.db, new Date("2026-06-01T00:00:00Z")); // 19 days before: nothing
    expect(await events()).toEqual([]);
    await sweepExpiry(t.db, new Date("2026-06-10T00:00:00Z")); // 10 days before: expiring
    await Promise.all([sweepExpiry(t.db, new Date("2026-06-11T00:00:00Z")), sweepExpiry(t.db, new Date("2026-06-12T00:00:00Z"))]);
    expect(await events()).toEqual(["registry.expiring"]);
    expect(await expirySummary(ctx, new Date("2026-06-10T00:00:00Z"))).toMatchObject({ registriesExpiring: 1, registriesExpired: 0 });
    await sweepExpiry(t.db, new Date("2026-06-20T00:00:01Z")); // past: expired
    await sweepExpiry(t.db, new Date("2026-06-21T00:00:00Z"));
    expect((await events()).sort()).toEqual(["registry.expired", "registry.expiring"]);
    expect(await expirySummary(ctx, new Date("2026-06-21T00:00:00Z"))).toMatchObject({ registriesExpiring: 0, registriesExpired: 1 });
    // A new date (a renewed token) notifies again.
    await api.patch(me, sweepTeam.company.id, reg.body.id, { expiresAt: "2026-07-01T00:00:00Z" });
    await sweepExpiry(t.db, new Date("2026-06-21T00:00:00Z"));
    expect((await events()).filter((e) => e === "registry.expiring")).toHaveLength(2);
    await settleDeliveries();
    const bodies = receiver.received.map((r) => JSON.parse(r.body)).filter((b) => b.company.id === sweepTeam.company.id);
    expect(bodies.map((b) => b.type).sort()).toEqual(["registry.expired", "registry.expiring", "registry.expiring"]);
    expect(bodies.find((b) => b.type === "registry.expired")).toMatchObject({ registry: { name: "sweeps" }, data: { expiresAt: at } });
    expect(receiver.received.every((r) => receiver.verified(hook.secret, r) || JSON.parse(r.body).company.id !== sweepTeam.company.id)).toBe(true);
  });

  it("counts API tokens expiring within 14 days: all of the company's for an owner, one's own for a member", async () => {
    const tokenTeam = await seedTeam(t.db);
    const now = new Date();
    const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString();
    await tokenFor(t.db, tokenTeam.company.id, tokenTeam.owner.id, { expiresAt: inDays(3) });
    await tokenFor(t.db, tokenTeam.company.id, tokenTeam.users.member.id, { expiresAt: inDays(10) });
    await tokenFor(t.db, tokenTeam.company.id, tokenTeam.users.member.id, { expiresAt: inDays(30) });
    const revoked = await tokenFor(t.db, tokenTeam.company.id, tokenTeam.owner.id, { expiresAt: inDays(2) });
    await t.db.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, revoked.id));
    const ownerCtx = await resolveContext(apiRequest("GET", "/", { cookie: tokenTeam.users.owner.cookie }).headers, tokenTeam.company.id, "test");
    const memberCtx = await resolveContext(apiRequest("GET", "/", { cookie: tokenTeam.users.member.cookie }).headers, tokenTeam.company.id, "test");
    expect(await expirySummary(ownerCtx)).toEqual({ registriesExpired: 0, registriesExpiring: 0, tokensExpiring: 2, total: 2 });
    expect(await expirySummary(memberCtx)).toMatchObject({ tokensExpiring: 1, total: 1 });
  });
});
