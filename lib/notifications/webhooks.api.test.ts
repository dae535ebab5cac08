/**
 * The webhooks API: owners and admins by session only, the signing secret shown once, the
 * outbound policy on the URL, another company's webhook 404; and deliveries: a local receiver
 * that verifies the signature gets `registry.created`, a 500 is retried (fixed clock) until the
 * 200, the test event, the delivery log and the audit trail.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NextRequest } from "next/server";
import * as collection from "@/app/api/v1/companies/[companyId]/webhooks/route";
import * as item from "@/app/api/v1/companies/[companyId]/webhooks/[id]/route";
import * as deliveries from "@/app/api/v1/companies/[companyId]/webhooks/[id]/deliveries/route";
import * as ping from "@/app/api/v1/companies/[companyId]/webhooks/[id]/test/route";
import * as registriesRoute from "@/app/api/v1/companies/[companyId]/registries/route";
import * as registryItem from "@/app/api/v1/companies/[companyId]/registries/[id]/route";
import { auditEvents, webhookDeliveries, webhooks } from "@/db/schema";
import { apiRequest, call } from "@/lib/testing/auth";
import { seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver";
import { deliverDueWebhooks, settleDeliveries } from "./delivery";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (req: NextRequest, seg: { params: Promise<any> }) => Promise<Response>;
type Auth = { cookie?: string; token?: string };

let t: TestDb;
let team: Team;
let other: Team;
let receiver: WebhookReceiver;

async function send(handler: Handler, method: string, path: string, auth: Auth, params: Record<string, string>, body?: unknown) {
  const res = await call(handler, apiRequest(method, path, auth, body), params);
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : undefined) as any };
}

const base = (companyId: string) => `/api/v1/companies/${companyId}/webhooks`;
const create = (auth: Auth, companyId: string, body: unknown) => send(collection.POST as Handler, "POST", base(companyId), auth, { companyId }, body);
const list = (auth: Auth, companyId: string) => send(collection.GET as Handler, "GET", base(companyId), auth, { companyId });
const get = (auth: Auth, companyId: string, id: string) => send(item.GET as Handler, "GET", `${base(companyId)}/${id}`, auth, { companyId, id });
const patch = (auth: Auth, companyId: string, id: string, body: unknown) => send(item.PATCH as Handler, "PATCH", `${base(companyId)}/${id}`, auth, { companyId, id }, body);
const remove = (auth: Auth, companyId: string, id: string) => send(item.DELETE as Handler, "DELETE", `${base(companyId)}/${id}`, auth, { companyId, id });
const test = (auth: Auth, companyId: string, id: string) => send(ping.POST as Handler, "POST", `${base(companyId)}/${id}/test`, auth, { companyId, id });
const log = (auth: Auth, companyId: string, id: string, query = "") => send(deliveries.GET as Handler, "GET", `${base(companyId)}/${id}/deliveries${query}`, auth, { companyId, id });

beforeAll(async () => {
  t = await useTestDb();
  team = await seedTeam(t.db);
  other = await seedTeam(t.db);
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await settleDeliveries();
  await receiver?.close();
  await t?.close();
});

describe("who may manage webhooks", () => {
  it("owners and admins by session; members, viewers and every API token are 403", async () => {
    const body = { url: receiver.url, events: ["registry.deleted"] };
    for (const role of ["owner", "admin"] as const) {
      const created = await create({ cookie: team.users[role].cookie }, team.company.id, body);
      expect(created.status).toBe(201);
      expect((await list({ cookie: team.users[role].cookie }, team.company.id)).body.items.map((w: { id: string }) => w.id)).toContain(created.body.id);
      expect((await remove({ cookie: team.users[role].cookie }, team.company.id, created.body.id)).status).toBe(204);
    }
    for (const role of ["member", "memberMr", "viewer"] as const) {
      expect((await create({ cookie: team.users[role].cookie }, team.company.id, body)).status).toBe(403);
      expect((await list({ cookie: team.users[role].cookie }, team.company.id)).status).toBe(403);
    }
    const { token } = await tokenFor(t.db, team.company.id, team.owner.id);
    expect((await create({ token }, team.company.id, body)).status).toBe(403);
    expect((await list({ token }, team.company.id)).status).toBe(403);
    expect((await create({}, team.company.id, body)).status).toBe(401);
  });

  it("another company's webhook is 404 everywhere, and stays as it was", async () => {
    const theirs = await create({ cookie: other.users.owner.cookie }, other.company.id, { url: receiver.url, events: ["registry.created"], description: "theirs" });
    expect(theirs.status).toBe(201);
    const me = { cookie: team.users.owner.cookie };
    const id = theirs.body.id as string;
    expect((await get(me, team.company.id, id)).status).toBe(404);
    expect((await patch(me, team.company.id, id, { description: "mine now" })).status).toBe(404);
    expect((await test(me, team.company.id, id)).status).toBe(404);
    expect((await log(me, team.company.id, id)).status).toBe(404);
    expect((await remove(me, team.company.id, id)).status).toBe(404);
    expect((await get(me, team.company.id, "not-a-uuid")).status).toBe(404);
    expect((await get(me, other.company.id, id)).status).toBe(404); // not a member of the other company
    expect((await get({ cookie: other.users.owner.cookie }, other.company.id, id)).body.description).toBe("theirs");
  });
});

describe("the signing secret", () => {
  it("is in the 201 answer only, and stored encrypted", async () => {
    const me = { cookie: team.users.owner.cookie };
    const created = await create(me, team.company.id, { url: receiver.url, events: ["registry.created"], format: "json", description: "secret check" });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`${base(team.company.id)}/${created.body.id}`);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const again = [await get(me, team.company.id, created.body.id), await list(me, team.company.id), await patch(me, team.company.id, created.body.id, { description: "changed" })];
    for (const a of again) {
      expect(a.status).toBe(200);
      expect(a.text).not.toContain(secret);
      expect(a.text).not.toContain('"secret"');
    }
    const [row] = await t.db.select().from(webhooks).where(eq(webhooks.id, created.body.id));
    expect(row!.secretBlob).not.toContain(secret.slice(6));
    const audit = await t.db.select().from(auditEvents).where(and(eq(auditEvents.targetId, created.body.id)));
    expect(audit.map((a) => a.action).sort()).toEqual(["webhook.created", "webhook.updated"]);
    expect(JSON.stringify(audit)).not.toContain(secret);
    await remove(me, team.company.id, created.body.id);
  });
});

describe("the URL and the body", () => {
  const me = () => ({ cookie: team.users.owner.cookie });
  it.each([
    ["https://10.0.0.8/hook", /private/],
    ["https://169.254.169.254/latest/meta-data", /metadata/],
    ["http://93.184.216.34/hook", /OUTBOUND_ALLOW_CIDRS/],
    ["http://127.0.0.2:9/hook", /loopback/],
    ["https://user:pw@127.0.0.1/hook", /user name or password/],
    ["ftp://127.0.0.1/hook", /https/],
  ])("refuses %s with a 400 naming url", async (url, message) => {
    const a = await create(me(), team.company.id, { url, events: ["registry.created"] });
    expect(a.status, a.text).toBe(400);
    expect(a.body.errors).toEqual([{ path: "url", message: expect.stringMatching(message) }]);
  });

  it("refuses a PATCH to a refused URL, and bad events, formats and unknown keys", async () => {
    const ok = await create(me(), team.company.id, { url: receiver.url, events: ["registry.created"] });
    expect((await patch(me(), team.company.id, ok.body.id, { url: "https://192.168.0.1/x" })).body.errors).toEqual([{ path: "url", message: expect.stringMatching(/private/) }]);
    const bad = await create(me(), team.company.id, { url: receiver.url, events: ["registry.nope"], format: "xml", extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["", "events.0", "format"]);
    expect((await create(me(), team.company.id, { url: receiver.url, events: [] })).body.errors).toEqual([{ path: "events", message: "Choose at least one event" }]);
    await remove(me(), team.company.id, ok.body.id);
  });
});

describe("deliveries", () => {
  it("a receiver verifying the signature gets registry.created with the documented body and headers", async () => {
    const me = { cookie: team.users.owner.cookie };
    const hook = await create(me, team.company.id, { url: receiver.url, events: ["registry.created", "registry.updated"] });
    const before = receiver.received.length;
    const reg = await send(registriesRoute.POST as Handler, "POST", `/api/v1/companies/${team.company.id}/registries`, me, { companyId: team.company.id }, {
      name: "Webhooked",
      type: "custom",
      credentials: { url: "webhooked.example.com", username: "u", password: "a-registry-password-1" },
    });
    expect(reg.status).toBe(201);
    await settleDeliveries();
    await receiver.waitFor(before + 1);
    const got = receiver.received[before]!;
    expect(receiver.verified(hook.body.secret, got)).toBe(true);
    expect(receiver.verified("whsec_wrong", got)).toBe(false);
    expect(got.method).toBe("POST");
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["berth-event"]).toBe("registry.created");
    expect(got.headers["user-agent"]).toMatch(/^Berth-Webhooks\//);
    expect(got.headers["berth-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const body = JSON.parse(got.body);
    expect(body).toEqual({
      id: expect.any(String),
      type: "registry.created",
      createdAt: expect.stringMatching(/Z$/),
      company: { id: team.company.id, slug: team.company.slug },
      registry: { id: reg.body.id, name: "Webhooked", type: "custom", url: "webhooked.example.com", health: { status: "not_checked", since: null, lastCheckedAt: null } },
      data: { isActive: true },
    });
    expect(got.body).not.toContain("a-registry-password-1");
    const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, got.headers["berth-delivery"] as string));
    expect(row).toMatchObject({ status: "succeeded", attempts: 1, responseCode: 200, webhookId: hook.body.id });
    // An update is its own event, naming what changed.
    const upd = await send(registryItem.PATCH as Handler, "PATCH", `/api/v1/companies/${team.company.id}/registries/${reg.body.id}`, me, { companyId: team.company.id, id: reg.body.id }, { name: "Webhooked 2" });
    expect(upd.status).toBe(200);
    await settleDeliveries();
    await receiver.waitFor(before + 2);
    const second = JSON.parse(receiver.received[before + 1]!.body);
    expect(second).toMatchObject({ type: "registry.updated", registry: { name: "Webhooked 2" }, data: { changed: ["name"] } });
    await remove(me, team.company.id, hook.body.id);
  });

  it("a 500 is retried with backoff (fixed clock) and the 200 ends it; the log shows both", async () => {
    const me = { cookie: team.users.owner.cookie };
    const hook = await create(me, team.company.id, { url: receiver.url, events: ["registry.deleted"], format: "slack" });
    const reg = await send(registriesRoute.POST as Handler, "POST", `/api/v1/companies/${team.company.id}/registries`, me, { companyId: team.company.id }, {
      name: "Retried",
      type: "custom",
      credentials: { url: "retried.example.com", token: "a-registry-token-123" },
    });
    const before = receiver.received.length;
    receiver.answers.push(500);
    expect((await send(registryItem.DELETE as Handler, "DELETE", `/api/v1/companies/${team.company.id}/registries/${reg.body.id}`, me, { companyId: team.company.id, id: reg.body.id })).status).toBe(204);
    await settleDeliveries();
    await receiver.waitFor(before + 1);
    const [first] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.body.id));
    expect(first).toMatchObject({ status: "pending", attempts: 1, responseCode: 500, errorMessage: "Answered 500: receiver says 500" });
    const wait = first!.nextAttemptAt.getTime() - first!.lastAttemptAt!.getTime();
    expect(wait).toBeGreaterThanOrEqual(24_000);
    expect(wait).toBeLessThanOrEqual(36_000);
    // Not due yet: nothing is sent.
    expect((await deliverDueWebhooks(t.db, { now: new Date(first!.nextAttemptAt.getTime() - 1000) })).attempted).toBe(0);
    const summary = await deliverDueWebhooks(t.db, { now: new Date(first!.nextAttemptAt.getTime() + 1) });
    expect(summary).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(receiver.received.length).toBe(before + 2);
    const [a, b] = receiver.received.slice(before);
    expect(a!.headers["berth-delivery"]).toBe(b!.headers["berth-delivery"]);
    expect(receiver.verified(hook.body.secret, b!)).toBe(true);
    expect(JSON.parse(b!.body)).toEqual({ text: expect.stringContaining("Registry “Retried” (retried.example.com) was deleted.") });
    const page = await log(me, team.company.id, hook.body.id);
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([expect.objectContaining({ eventType: "registry.deleted", status: "succeeded", attempts: 2, responseCode: 200, nextAttemptAt: null, errorMessage: null, durationMs: expect.any(Number) })]);
    await remove(me, team.company.id, hook.body.id);
  });

  it("gives up after 24 hours: the delivery is failed", async () => {
    const me = { cookie: team.users.owner.cookie };
    const hook = await create(me, team.company.id, { url: receiver.url.replace(/:\d+\//, ":9/"), events: ["registry.created"] });
    const reg = await send(registriesRoute.POST as Handler, "POST", `/api/v1/companies/${team.company.id}/registries`, me, { companyId: team.company.id }, {
      name: "Unreachable hook",
      type: "custom",
      credentials: { url: "unreachable-hook.example.com", token: "a-registry-token-456" },
    });
    expect(reg.status).toBe(201);
    await settleDeliveries();
    const [d] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.body.id));
    expect(d).toMatchObject({ status: "pending", attempts: 1, responseCode: null, errorMessage: expect.stringMatching(/connect/i) });
    const late = new Date(d!.createdAt.getTime() + 24 * 3600_000);
    expect(await deliverDueWebhooks(t.db, { now: late })).toMatchObject({ attempted: 1, failed: 1 });
    const [after] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d!.id));
    expect(after).toMatchObject({ status: "failed", attempts: 2 });
    await remove(me, team.company.id, hook.body.id);
  });

  it("Send test event delivers a ping now and answers with the delivery; pagination of the log", async () => {
    const me = { cookie: team.users.admin.cookie };
    const hook = await create(me, team.company.id, { url: receiver.url, events: ["registry.expired"] });
    const before = receiver.received.length;
    const first = await test(me, team.company.id, hook.body.id);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ eventType: "ping", status: "succeeded", responseCode: 200, attempts: 1 });
    expect(receiver.received.length).toBe(before + 1);
    expect(receiver.verified(hook.body.secret, receiver.received[before]!)).toBe(true);
    expect(JSON.parse(receiver.received[before]!.body)).toMatchObject({ type: "ping", registry: null });
    receiver.answers.push(503);
    const failed = await test(me, team.company.id, hook.body.id);
    expect(failed.body).toMatchObject({ status: "failed", responseCode: 503, nextAttemptAt: null });
    await test(me, team.company.id, hook.body.id);
    const p1 = await log(me, team.company.id, hook.body.id, "?limit=2");
    expect(p1.body.items).toHaveLength(2);
    expect(p1.body.nextPageToken).toEqual(expect.any(String));
    const p2 = await log(me, team.company.id, hook.body.id, `?limit=2&pagination.token=${p1.body.nextPageToken}`);
    expect(p2.body.items).toHaveLength(1);
    expect(p2.body.items[0].id).toBe(first.body.id);
    expect(p2.body.nextPageToken).toBeNull();
    expect((await log(me, team.company.id, hook.body.id, "?pagination.token=garbage")).status).toBe(400);
    expect((await log(me, team.company.id, hook.body.id, "?limit=0")).status).toBe(400);
    const listed = await get(me, team.company.id, hook.body.id);
    expect(listed.body.lastDelivery).toMatchObject({ status: "succeeded", responseCode: 200 });
    expect((await remove(me, team.company.id, hook.body.id)).status).toBe(204);
    expect((await get(me, team.company.id, hook.body.id)).status).toBe(404);
    expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.body.id))).toEqual([]);
  });

  it("a paused webhook gets no events, and only subscribed events are sent", async () => {
    const me = { cookie: team.users.owner.cookie };
    const paused = await create(me, team.company.id, { url: receiver.url, events: ["registry.created"], isActive: false });
    const otherEvents = await create(me, team.company.id, { url: receiver.url, events: ["registry.expired"] });
    const before = receiver.received.length;
    await send(registriesRoute.POST as Handler, "POST", `/api/v1/companies/${team.company.id}/registries`, me, { companyId: team.company.id }, {
      name: "Quiet",
      type: "custom",
      credentials: { url: "quiet.example.com", token: "a-registry-token-789" },
    });
    await settleDeliveries();
    expect(receiver.received.length).toBe(before);
    for (const h of [paused, otherEvents]) expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, h.body.id))).toEqual([]);
  });
});
