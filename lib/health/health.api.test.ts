/**
 * Health over time through the API, against a real htpasswd `docker-registry` on loopback:
 * every manual test of the saved values and every scheduled check is kept (history, lastTest,
 * health); failing after two failed checks in a row, healthy after one success (the registry's
 * htpasswd is changed to make the checks fail, then restored); the checks endpoint; the health
 * filter; pruning; the opt-out; the company's interval. PGlite, or PostgreSQL with DATABASE_URL.
 */
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listChecks } from "@/app/api/v1/companies/[companyId]/registries/[id]/checks/route";
import { GET as getOne, PATCH as patchOne } from "@/app/api/v1/companies/[companyId]/registries/[id]/route";
import { POST as testSaved } from "@/app/api/v1/companies/[companyId]/registries/[id]/test/route";
import { GET as list, POST as create } from "@/app/api/v1/companies/[companyId]/registries/route";
import { GET as getSettings, PATCH as patchSettings } from "@/app/api/v1/companies/[companyId]/health-checks/route";
import { rowsOf } from "@/db";
import { jobs, registries, registryChecks } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { createJobRunner } from "@/lib/jobs/runner";
import { apiRequest, call } from "@/lib/testing/auth";
import { seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { setHtpasswdUsers, skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { EXPIRING_WITHIN_MS, HEALTH_STATUSES } from "./health";
import { CHECK_KIND, pruneRegistryChecks, registerHealthJobs, scheduleRegistryChecks } from "./scheduler";

const PASSWORD = "alice-Health-Distinctive-Secret-4417";
const WRONG = "alice-Rotated-Elsewhere-Secret-9902";

type Auth = { cookie?: string; token?: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function answer(res: Response): Promise<{ status: number; body: Json; text: string }> {
  const text = await res.text();
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(WRONG);
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

const until = async (what: string, fn: () => Promise<boolean>, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.skipIf(skipWithoutRegistryTools())("registry health over time", () => {
  let t: TestDb;
  let registry: RunningRegistry;
  let team: Team;
  let other: Team;
  let owner: Auth;
  const saved = { limit: process.env.BERTH_TEST_RATE_LIMIT };

  const base = (companyId = team.company.id) => `/api/v1/companies/${companyId}/registries`;
  const createAs = async (auth: Auth, body: unknown, companyId = team.company.id) => {
    const a = await answer(await call(create, apiRequest("POST", base(companyId), auth, body), { companyId }));
    expect(a.status, a.text).toBe(201);
    return a.body as Json;
  };
  const customBody = (name: string, extra: Record<string, unknown> = {}, password = PASSWORD) => ({
    name,
    type: "custom",
    // A path prefix per registry: a company holds one registry per URL.
    credentials: { url: `http://${registry.host}/${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`, username: "alice", password },
    ...extra,
  });
  const test = async (id: string, auth: Auth = owner) => answer(await call(testSaved, apiRequest("POST", `${base()}/${id}/test`, auth), { companyId: team.company.id, id }));
  const get = async (id: string, auth: Auth = owner) => answer(await call(getOne, apiRequest("GET", `${base()}/${id}`, auth), { companyId: team.company.id, id }));
  const checksOf = async (id: string, query = "", auth: Auth = owner, companyId = team.company.id) =>
    answer(await call(listChecks, apiRequest("GET", `${base(companyId)}/${id}/checks${query ? `?${query}` : ""}`, auth), { companyId, id }));
  const listHealth = async (health: string) => answer(await call(list, apiRequest("GET", `${base()}?filter.health=${health}`, owner), { companyId: team.company.id }));
  const historyRows = (id: string) => t.db.select().from(registryChecks).where(eq(registryChecks.registryId, id)).orderBy(registryChecks.id);

  beforeAll(async () => {
    process.env.BERTH_TEST_RATE_LIMIT = "1000";
    resetEnvCache();
    t = await useTestDb();
    registry = await startRegistry({ auth: { type: "htpasswd", users: { alice: PASSWORD } } });
    team = await seedTeam(t.db);
    other = await seedTeam(t.db);
    owner = { cookie: team.users.owner.cookie };
  });

  afterAll(async () => {
    process.env.BERTH_TEST_RATE_LIMIT = saved.limit;
    resetEnvCache();
    await registry?.stop();
    await t?.close();
  });

  it("starts not checked, then every saved test is history, lastTest and health; failing after two failures in a row, healthy after one success", async () => {
    const created = await createAs(owner, customBody("Transitions"));
    expect(created.health).toEqual({ status: "not_checked", since: null, lastCheckedAt: null });
    expect(created.scheduledChecks).toBe(true);

    const first = await test(created.id);
    expect(first.body.status).toBe("success");
    let dto = (await get(created.id)).body;
    expect(dto.health).toMatchObject({ status: "healthy", since: expect.any(String), lastCheckedAt: dto.lastTest.checkedAt });
    const healthySince = dto.health.since;

    // The password is changed on the registry but not in Berth.
    setHtpasswdUsers(registry, { alice: WRONG });
    expect((await test(created.id)).body.status).toBe("invalid_credentials");
    dto = (await get(created.id)).body;
    expect(dto.health).toMatchObject({ status: "healthy", since: healthySince }); // one blip is not an outage
    const [, firstFailure] = await historyRows(created.id);

    // A token's test is recorded with the trigger `token`.
    const { token } = await tokenFor(t.db, team.company.id, team.users.member.id, { scopes: ["registries:read"] });
    expect((await test(created.id, { token })).body.status).toBe("invalid_credentials");
    dto = (await get(created.id)).body;
    expect(dto.health).toEqual({ status: "failing", since: firstFailure!.checkedAt.toISOString(), lastCheckedAt: dto.lastTest.checkedAt });
    expect(dto.lastTest.status).toBe("invalid_credentials");

    setHtpasswdUsers(registry, { alice: PASSWORD });
    expect((await test(created.id)).body.status).toBe("success");
    dto = (await get(created.id)).body;
    expect(dto.health).toMatchObject({ status: "healthy", since: dto.lastTest.checkedAt });

    const rows = await historyRows(created.id);
    expect(rows.map((r) => [r.status, r.stage, r.trigger])).toEqual([
      ["success", "auth", "user"],
      ["invalid_credentials", "auth", "user"],
      ["invalid_credentials", "auth", "token"],
      ["success", "auth", "user"],
    ]);
    for (const r of rows) {
      expect(r.companyId).toBe(team.company.id);
      expect(r.latencyMs).toBeGreaterThanOrEqual(0);
      expect(r.message.length).toBeGreaterThan(0);
      expect(JSON.stringify(r)).not.toContain(PASSWORD);
      expect(JSON.stringify(r)).not.toContain(WRONG);
    }
  });

  it("records no history for a test with overrides (they are not the saved values)", async () => {
    const created = await createAs(owner, customBody("Overrides"));
    const res = await answer(await call(testSaved, apiRequest("POST", `${base()}/${created.id}/test`, owner, { credentials: { username: "bob" } }), { companyId: team.company.id, id: created.id }));
    expect(res.status).toBe(200);
    expect(await historyRows(created.id)).toEqual([]);
    expect((await get(created.id)).body.health.status).toBe("not_checked");
  });

  it("runs scheduled checks on the job runner: history with the trigger `schedule`, lastTest and health, and the failing transition", async () => {
    const created = await createAs(owner, customBody("Scheduled"));
    registerHealthJobs({ checkIntervalSeconds: 1, scheduleEveryMs: 200, pruneEveryMs: 3600_000 });
    const runner = await createJobRunner({ db: t.db, pollMs: 50, leaseMs: 5_000 });
    const scheduled = async () => (await historyRows(created.id)).filter((r) => r.trigger === "schedule");
    try {
      await until("a scheduled check", async () => (await scheduled()).length >= 1);
      expect((await get(created.id)).body.health.status).toBe("healthy");
      setHtpasswdUsers(registry, { alice: WRONG });
      const before = (await scheduled()).length;
      await until("two failed scheduled checks", async () => (await scheduled()).slice(before).filter((r) => r.status === "invalid_credentials").length >= 2);
      expect((await get(created.id)).body.health.status).toBe("failing");
      setHtpasswdUsers(registry, { alice: PASSWORD });
      await until("healthy again", async () => (await get(created.id)).body.health.status === "healthy");
    } finally {
      await runner.stop();
      setHtpasswdUsers(registry, { alice: PASSWORD });
    }
    const rows = await scheduled();
    // One check a second at most: the slots of a 1-second interval, never two in one slot.
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]!.checkedAt.getTime() - rows[i - 1]!.checkedAt.getTime()).toBeGreaterThan(500);
    const dto = (await get(created.id)).body;
    expect(dto.lastTest.checkedAt).toBe(dto.health.lastCheckedAt);
  }, 60_000);

  it("schedules only active registries with credentials that did not opt out, and drops the job when that changes", async () => {
    const on = await createAs(owner, customBody("Sched on"));
    const optedOut = await createAs(owner, customBody("Sched off", { scheduledChecks: false }));
    expect(optedOut.scheduledChecks).toBe(false);
    const inactive = await createAs(owner, customBody("Sched inactive", { isActive: false }));
    const publicOne = await createAs(owner, { name: "Sched public", type: "public", credentials: { url: `http://${registry.host}/public` } });
    registerHealthJobs({ checkIntervalSeconds: 3600 });
    await scheduleRegistryChecks(t.db);
    const jobKeys = async () => (await t.db.select({ key: jobs.key }).from(jobs).where(eq(jobs.kind, CHECK_KIND))).map((j) => j.key);
    const keys = await jobKeys();
    expect(keys).toContain(`${CHECK_KIND}:${on.id}`);
    for (const r of [optedOut, inactive, publicOne]) expect(keys).not.toContain(`${CHECK_KIND}:${r.id}`);

    // Opting out by PATCH drops the job; opting in again brings it back, in its slot within the hour.
    const patched = await answer(await call(patchOne, apiRequest("PATCH", `${base()}/${on.id}`, owner, { scheduledChecks: false }), { companyId: team.company.id, id: on.id }));
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.scheduledChecks).toBe(false);
    expect((await scheduleRegistryChecks(t.db)).dropped).toBeGreaterThanOrEqual(1);
    expect(await jobKeys()).not.toContain(`${CHECK_KIND}:${on.id}`);
    await call(patchOne, apiRequest("PATCH", `${base()}/${on.id}`, owner, { scheduledChecks: true }), { companyId: team.company.id, id: on.id });
    await scheduleRegistryChecks(t.db);
    const [job] = await t.db.select().from(jobs).where(eq(jobs.key, `${CHECK_KIND}:${on.id}`));
    expect(job!.runAt.getTime()).toBeGreaterThan(Date.now() - 5_000);
    expect(job!.runAt.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
    const bad = await answer(await call(patchOne, apiRequest("PATCH", `${base()}/${on.id}`, owner, { scheduledChecks: "yes" }), { companyId: team.company.id, id: on.id }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: "scheduledChecks", message: "Must be true or false" }]);
  });

  it("spreads a company's registries over the interval (each in its own slot)", async () => {
    registerHealthJobs({ checkIntervalSeconds: 3600 });
    for (let i = 0; i < 20; i += 1) await createAs(owner, customBody(`Spread ${i}`, {}, PASSWORD), team.company.id).catch(() => undefined);
    await scheduleRegistryChecks(t.db);
    const runAts = (await t.db.select({ runAt: jobs.runAt }).from(jobs).where(eq(jobs.kind, CHECK_KIND))).map((j) => j.runAt.getTime());
    expect(runAts.length).toBeGreaterThanOrEqual(2);
    // Distinct slots, over more than a few minutes of the hour.
    expect(new Set(runAts).size).toBe(runAts.length);
    expect(Math.max(...runAts) - Math.min(...runAts)).toBeGreaterThan(5 * 60_000);
  });

  it("GET …/checks: newest first in keyset pages, what `get` needs (a viewer reads it), 404 for another company's registry", async () => {
    const created = await createAs(owner, customBody("Paged"));
    for (let i = 0; i < 5; i += 1) await test(created.id);
    const all = await historyRows(created.id);
    const seen: string[] = [];
    let query = "limit=2";
    for (let page = 0; page < 5; page += 1) {
      const a = await checksOf(created.id, query, { cookie: team.users.viewer.cookie });
      expect(a.status, a.text).toBe(200);
      expect(a.body.limit).toBe(2);
      seen.push(...a.body.items.map((c: Json) => c.id));
      for (const c of a.body.items) expect(Object.keys(c).sort()).toEqual(["checkedAt", "id", "latencyMs", "message", "stage", "status", "trigger"]);
      if (!a.body.nextPageToken) break;
      query = `limit=2&pagination.token=${a.body.nextPageToken}`;
    }
    expect(seen).toEqual(all.map((r) => String(r.id)).reverse());

    const { token } = await tokenFor(t.db, team.company.id, team.users.viewer.id, { scopes: ["registries:read"] });
    expect((await checksOf(created.id, "", { token })).status).toBe(200);
    const { token: pullOnly } = await tokenFor(t.db, team.company.id, team.users.owner.id, { scopes: ["registries:write"] });
    expect((await checksOf(created.id, "", { token: pullOnly })).status).toBe(403);

    const theirs = await createAs({ cookie: other.users.owner.cookie }, customBody("Theirs"), other.company.id);
    expect((await checksOf(theirs.id)).status).toBe(404);
    expect((await checksOf(created.id, "", { cookie: other.users.owner.cookie }, team.company.id)).status).toBe(404);
    expect((await checksOf("not-a-uuid")).status).toBe(404);
    const badToken = await checksOf(created.id, "pagination.token=abc");
    expect(badToken.status).toBe(400);
    expect(badToken.body.errors).toEqual([{ path: "pagination.token", message: "Not a pagination token from this API" }]);
    const badLimit = await checksOf(created.id, "limit=0");
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.errors[0].path).toBe("limit");
    expect((await answer(await call(listChecks, apiRequest("GET", `${base()}/${created.id}/checks`, {}), { companyId: team.company.id, id: created.id }))).status).toBe(401);
  });

  it("filters the list by health in SQL, scoped to the company, with the same rules as the answers", async () => {
    const make = async (name: string, set: Partial<typeof registries.$inferInsert>) => {
      const r = await createAs(owner, customBody(`Filter ${name}`));
      await t.db.update(registries).set(set).where(eq(registries.id, r.id));
      return r.id as string;
    };
    const day = 86_400_000;
    const ids = {
      expired: await make("expired", { expiresAt: new Date(Date.now() - day), healthStatus: "failing" }),
      failing: await make("failing", { healthStatus: "failing", healthSince: new Date(), expiresAt: new Date(Date.now() + day) }),
      expiring: await make("expiring", { healthStatus: "healthy", healthSince: new Date(), expiresAt: new Date(Date.now() + EXPIRING_WITHIN_MS - day) }),
      healthy: await make("healthy", { healthStatus: "healthy", healthSince: new Date(), expiresAt: new Date(Date.now() + EXPIRING_WITHIN_MS + day) }),
      not_checked: await make("unchecked", { healthStatus: null }),
    };
    const theirs = await createAs({ cookie: other.users.owner.cookie }, customBody("Their failing"), other.company.id);
    await t.db.update(registries).set({ healthStatus: "failing" }).where(eq(registries.id, theirs.id));
    for (const status of HEALTH_STATUSES) {
      const a = await listHealth(status);
      expect(a.status, a.text).toBe(200);
      const names = a.body.items.map((r: Json) => r.id);
      expect(names, status).toContain(ids[status]);
      expect(names).not.toContain(theirs.id);
      for (const r of a.body.items) expect(r.health.status).toBe(status);
      for (const [other_, id] of Object.entries(ids)) if (other_ !== status) expect(names).not.toContain(id);
    }
    const bad = await listHealth("sick");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("filter.health");
  });

  it("prunes the history to 90 days or the newest 1 000 per registry, whichever is less", async () => {
    const many = await createAs(owner, customBody("Prune many"));
    const old = await createAs(owner, customBody("Prune old"));
    const insert = (registryId: string, n: number, stepMinutes: number, startDaysAgo: number) =>
      t.db.execute(sql`
        insert into ${registryChecks} (registry_id, company_id, checked_at, status, stage, latency_ms, message, trigger)
        select ${registryId}::uuid, ${team.company.id}::uuid, now() - ${startDaysAgo}::int * interval '1 day' + g * ${stepMinutes}::int * interval '1 minute', 'success', 'auth', 5, 'ok', 'schedule'
        from generate_series(0, ${n - 1}) g`);
    await insert(many.id, 1200, 30, 30); // 1 200 checks over 25 days: the newest 1 000 stay
    await insert(old.id, 100, 60 * 24, 120); // one a day from 120 days ago: those older than 90 days go
    const before = await t.db.select({ id: registryChecks.id }).from(registryChecks).where(eq(registryChecks.registryId, many.id)).orderBy(registryChecks.id);
    const { deleted } = await pruneRegistryChecks(t.db);
    expect(deleted).toBeGreaterThanOrEqual(200 + 30);
    const kept = await t.db.select({ id: registryChecks.id }).from(registryChecks).where(eq(registryChecks.registryId, many.id)).orderBy(registryChecks.id);
    expect(kept.map((r) => r.id)).toEqual(before.slice(200).map((r) => r.id));
    const [oldest] = rowsOf<{ n: number; min: string }>(await t.db.execute(sql`select count(*)::int as n, min(checked_at)::text as min from ${registryChecks} where registry_id = ${old.id}::uuid`));
    expect(new Date(oldest!.min).getTime()).toBeGreaterThan(Date.now() - 90 * 86_400_000);
    expect(oldest!.n).toBeGreaterThanOrEqual(69);
    expect(oldest!.n).toBeLessThanOrEqual(71);
    // Pruning again deletes nothing more of these.
    await pruneRegistryChecks(t.db);
    expect((await t.db.select({ id: registryChecks.id }).from(registryChecks).where(and(eq(registryChecks.registryId, many.id)))).length).toBe(1000);
  });

  it("the company's interval: owners and admins read and set 15–1440 minutes or null (BERTH_CHECK_INTERVAL_MINUTES)", async () => {
    const path = `/api/v1/companies/${team.company.id}/health-checks`;
    const params = { companyId: team.company.id };
    const read = await answer(await call(getSettings, apiRequest("GET", path, { cookie: team.users.admin.cookie }), params));
    expect(read.body).toEqual({ intervalMinutes: null, defaultIntervalMinutes: 60, effectiveIntervalMinutes: 60 });
    const set = await answer(await call(patchSettings, apiRequest("PATCH", path, owner, { intervalMinutes: 15 }), params));
    expect(set.status, set.text).toBe(200);
    expect(set.body).toEqual({ intervalMinutes: 15, defaultIntervalMinutes: 60, effectiveIntervalMinutes: 15 });
    for (const bad of [14, 1441, 30.5, "60"]) {
      const a = await answer(await call(patchSettings, apiRequest("PATCH", path, owner, { intervalMinutes: bad }), params));
      expect(a.status).toBe(400);
      expect(a.body.errors[0].path).toBe("intervalMinutes");
    }
    expect((await answer(await call(patchSettings, apiRequest("PATCH", path, owner, { other: 1 }), params))).status).toBe(400);
    expect((await call(patchSettings, apiRequest("PATCH", path, { cookie: team.users.memberMr.cookie }, { intervalMinutes: 30 }), params)).status).toBe(403);
    expect((await call(getSettings, apiRequest("GET", path, { cookie: team.users.viewer.cookie }), params)).status).toBe(403);
    const { token } = await tokenFor(t.db, team.company.id, team.users.owner.id);
    expect((await call(getSettings, apiRequest("GET", path, { token }), params)).status).toBe(403);

    // A 15-minute interval puts every check job of the company within the next 15 minutes.
    registerHealthJobs({ checkIntervalSeconds: 3600 });
    await scheduleRegistryChecks(t.db);
    const runAts = rowsOf<{ run_at: string }>(
      await t.db.execute(sql`select j.run_at::text from ${jobs} j join ${registries} r on r.id = (j.payload->>'registryId')::uuid where r.company_id = ${team.company.id}::uuid`),
    ).map((r) => new Date(r.run_at).getTime());
    expect(runAts.length).toBeGreaterThan(0);
    for (const at of runAts) expect(at).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 5_000);
    const reset = await answer(await call(patchSettings, apiRequest("PATCH", path, owner, { intervalMinutes: null }), params));
    expect(reset.body.intervalMinutes).toBeNull();
  });
});
