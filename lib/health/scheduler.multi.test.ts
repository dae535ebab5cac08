/**
 * The scheduler across instances: real child processes (lib/testing/job-runner-child.ts) run
 * the job runner against one PostgreSQL database with a 4-second check interval, and a small
 * loopback registry counts the signed-in `GET /v2/` of each registry (one per check). Each
 * registry is checked once per interval by 3 processes together; a process killed (SIGKILL)
 * in the middle of a check leaves its job to another once the lease runs out; a process with
 * BERTH_JOBS=off runs none. PGlite is one process by construction: skipped there, never in CI.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { POST as create } from "@/app/api/v1/companies/[companyId]/registries/route";
import { jobs, registries, registryChecks } from "@/db/schema";
import { apiRequest, call, seedCompany, sessionCookie } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import { CHECK_KIND } from "./scheduler";

const INTERVAL_S = 4;
const LEASE_MS = 3000;

interface Child {
  process: ChildProcess;
  stderr: () => string;
}

function skipOnPglite(t: TestDb, ctx: TestContext): boolean {
  if (t.url) return false;
  // PGlite is one process: there is no other instance to share the jobs with.
  if (process.env.CI === "true") throw new Error("CI runs this on PostgreSQL (DATABASE_URL)");
  ctx.skip();
  return true;
}

describe("scheduled checks across instances", () => {
  let t: TestDb;
  let fake: LoopbackServer;
  let company: { id: string };
  let owner: { cookie: string };
  const children: Child[] = [];
  /** Signed-in GET /v2/ per username, with the time each arrived. */
  const signedIn = new Map<string, number[]>();
  /** Usernames whose signed-in request is held unanswered. */
  const hold = new Set<string>();

  function registryHandler(req: IncomingMessage, res: ServerResponse) {
    const v2 = { "Docker-Distribution-API-Version": "registry/2.0", "Content-Type": "application/json" };
    if (req.url !== "/v2/") {
      res.writeHead(404, v2).end("{}");
      return;
    }
    const authz = req.headers.authorization;
    if (!authz?.startsWith("Basic ")) {
      res.writeHead(401, { ...v2, "WWW-Authenticate": 'Basic realm="count"' }).end("{}");
      return;
    }
    const user = Buffer.from(authz.slice(6), "base64").toString().split(":")[0]!;
    signedIn.set(user, [...(signedIn.get(user) ?? []), Date.now()]);
    if (hold.has(user)) return; // answered never: the check is in flight until its process dies
    res.writeHead(200, v2).end("{}");
  }

  function startChild(extraEnv: Record<string, string> = {}): Promise<Child> {
    return new Promise((resolve, reject) => {
      // tsx as a loader in the one process (its CLI would run the script in a grandchild that SIGKILL misses).
      const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/testing/job-runner-child.ts"], {
        env: { ...process.env, DATABASE_URL: t.url!, BERTH_TEST_CHECK_INTERVAL_SECONDS: String(INTERVAL_S), BERTH_TEST_LEASE_MS: String(LEASE_MS), BERTH_JOBS: "on", ...extraEnv },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      const entry: Child = { process: child, stderr: () => err };
      children.push(entry);
      child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.stdout!.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes('"ready":true')) resolve(entry);
      });
      child.on("exit", (code) => reject(new Error(`child exited ${code} before it was ready: ${err}`)));
    });
  }

  const stopChild = (c: Child, signal: NodeJS.Signals = "SIGTERM") =>
    new Promise<void>((resolve) => {
      if (c.process.exitCode !== null || c.process.signalCode !== null) return resolve();
      c.process.once("exit", () => resolve());
      c.process.kill(signal);
    });

  async function freshRegistries(names: string[]): Promise<Record<string, string>> {
    // Nothing of the previous case: its registries are deleted and the queue is empty.
    await t.db.update(registries).set({ isDeleted: true, deletedAt: new Date() });
    await t.db.delete(jobs);
    signedIn.clear();
    const ids: Record<string, string> = {};
    for (const name of names) {
      const res = await call(create, apiRequest("POST", `/api/v1/companies/${company.id}/registries`, owner, { name: `${name} ${Date.now()}`, type: "custom", credentials: { url: `http://${fake.host}/${name}-${Date.now()}`, username: name, password: `pw-${name}-secret` } }), { companyId: company.id });
      expect(res.status, await res.clone().text()).toBe(201);
      ids[name] = ((await res.json()) as { id: string }).id;
    }
    return ids;
  }

  const scheduledChecks = async (registryId: string) =>
    (await t.db.select().from(registryChecks).where(eq(registryChecks.registryId, registryId)).orderBy(registryChecks.id)).filter((r) => r.trigger === "schedule");

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const until = async (what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await fn())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; children: ${children.map((c) => c.stderr()).join("\n")}`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    t = await useTestDb();
    fake = await startHttpServer(registryHandler);
    const seeded = await seedCompany(t.db);
    company = seeded.company;
    owner = { cookie: await sessionCookie(seeded.owner.id) };
  });

  afterAll(async () => {
    hold.clear();
    await Promise.all(children.map((c) => stopChild(c, "SIGKILL")));
    await fake?.stop();
    await t?.close();
  });

  it("BERTH_JOBS=off: an instance runs no job runner, so nothing is scheduled or checked", async (ctx) => {
    if (skipOnPglite(t, ctx)) return;
    const ids = await freshRegistries(["off1", "off2"]);
    const child = await startChild({ BERTH_JOBS: "off" });
    await sleep((INTERVAL_S + 2) * 1000);
    expect([...signedIn.values()].flat()).toEqual([]);
    expect(await t.db.select().from(jobs)).toEqual([]);
    for (const id of Object.values(ids)) expect(await scheduledChecks(id)).toEqual([]);
    await stopChild(child);
  }, 60_000);

  it("3 processes on one database check each registry once per interval", async (ctx) => {
    if (skipOnPglite(t, ctx)) return;
    const names = ["a1", "a2", "a3", "a4", "a5", "a6"];
    const ids = await freshRegistries(names);
    const three = await Promise.all([startChild(), startChild(), startChild()]);
    const started = Date.now();
    await sleep(INTERVAL_S * 3.5 * 1000);
    await Promise.all(three.map((c) => stopChild(c)));
    const stopped = Date.now();

    for (const name of names) {
      const rows = await scheduledChecks(ids[name]!);
      const at = rows.map((r) => r.checkedAt.getTime());
      // Once per interval: never twice in one slot, never a slot skipped.
      expect(rows.length, name).toBeGreaterThanOrEqual(2);
      expect(rows.length, name).toBeLessThanOrEqual(Math.ceil((stopped - started) / (INTERVAL_S * 1000)) + 1);
      for (let i = 1; i < at.length; i += 1) {
        expect(at[i]! - at[i - 1]!, `${name} check ${i}`).toBeGreaterThan(INTERVAL_S * 1000 * 0.75);
        expect(at[i]! - at[i - 1]!, `${name} check ${i}`).toBeLessThan(INTERVAL_S * 1000 * 1.5);
      }
      // Every check the registry saw is in the history, and none twice.
      expect(signedIn.get(name)?.length ?? 0, name).toBe(rows.length);
    }
    // Spread: the registries' slots differ.
    const firstAt = await Promise.all(names.map(async (n) => (await scheduledChecks(ids[n]!))[0]!.checkedAt.getTime() % (INTERVAL_S * 1000)));
    expect(new Set(firstAt.map((ms) => Math.round(ms / 100))).size).toBeGreaterThan(1);
  }, 120_000);

  it("a process killed (SIGKILL) in the middle of a check: its job runs again on another once the lease runs out", async (ctx) => {
    if (skipOnPglite(t, ctx)) return;
    const { slow } = await freshRegistries(["slow"]);
    hold.add("slow");
    const first = await startChild();
    await until("the first process to start the check", () => (signedIn.get("slow")?.length ?? 0) >= 1);
    await stopChild(first, "SIGKILL");
    const killedAt = Date.now();
    hold.delete("slow");
    const second = await startChild();
    await until("the check to be recorded", async () => (await scheduledChecks(slow!)).length >= 1);
    const [row] = await scheduledChecks(slow!);
    const attempts = signedIn.get("slow")!;
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    // The second attempt waited for the dead process's lease, not for the next slot.
    expect(attempts[1]! - killedAt).toBeGreaterThan(0);
    expect(attempts[1]! - attempts[0]!).toBeLessThan(LEASE_MS + INTERVAL_S * 1000);
    expect(row!.status).toBe("success");
    const [job] = await t.db.select().from(jobs).where(eq(jobs.key, `${CHECK_KIND}:${slow}`));
    expect(job!.attempts).toBe(0); // moved to its next slot after the success
    expect(job!.runAt.getTime()).toBeGreaterThan(row!.checkedAt.getTime());
    await stopChild(second);
    const [{ n }] = (await t.db.execute(sql`select count(*)::int as n from ${registryChecks} where registry_id = ${slow}::uuid and trigger = 'schedule'`)) as unknown as [{ n: number }];
    expect(n).toBe(signedIn.get("slow")!.length - 1); // the killed process's check left no row
  }, 120_000);
});
