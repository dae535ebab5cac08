/**
 * Graceful shutdown under load, against a real server on PostgreSQL (the job queue is shared
 * state: the test reads it after the process is gone).
 *
 * The server runs with NEXT_MANUAL_SIG_HANDLE=true (Berth's handler, not Next's) and a 2 s
 * drain. While 8 loops list registries with a token and 2 loops run a slow-ish Test Connection
 * (a registry on loopback that answers after 600 ms), and a scheduled check of a registry that
 * answers after 4 s is running, the test sends SIGTERM and asserts:
 * - every request that reached Berth (the server logged its request id) completed 200 at the
 *   client, and the server logged none as unanswered (499) or failed (5xx): none failed in
 *   flight. The others failed at the connection only: refused once the listening socket was
 *   closed, or reset at that moment while they waited in the kernel's accept queue (the test
 *   loops keep connecting directly, with no load balancer honouring the drain; the figures line
 *   counts them);
 * - during the drain /api/ready answered 503 with `checks.shutdown: "draining"` while the list
 *   still answered 200;
 * - new connections were refused while the process was still finishing the check;
 * - the process exited 0 within the drain plus the budget;
 * - the check in flight at SIGTERM ran to completion exactly once (one `schedule` row in
 *   registry_checks, the job moved to its next slot with no claim left).
 * A second case gives a check less time than it needs: it is aborted and handed back (no
 * claim, due again soon), the process exits 1, and a second instance on the same database runs
 * the check (one `schedule` row); that instance's metrics show its pool (`berth_db_pool_connections`).
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { expect, request as playwrightRequest, test } from "@playwright/test";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import postgres from "postgres";
import { freshDatabase } from "../support/database";
import { startBerth, type BerthServer } from "../support/server";
import { ADMIN, bootstrapOwner } from "../support/session";

const DRAIN_MS = 2000;
const TIMEOUT_MS = 15_000;
const JOB_DELAY_MS = 4000;

interface SlowRegistry {
  port: number;
  hits: () => number;
  setDelay: (ms: number) => void;
  close: () => Promise<void>;
}

/** A plain-HTTP registry on loopback that answers every request (401, Basic) after `delayMs`. */
function slowRegistry(delayMs: number): Promise<SlowRegistry> {
  let hits = 0;
  let delay = delayMs;
  const server = http.createServer((req, res) => {
    hits += 1;
    setTimeout(() => {
      res.writeHead(401, { "Docker-Distribution-API-Version": "registry/2.0", "WWW-Authenticate": 'Basic realm="slow"', "Content-Type": "application/json" });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }, delay);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      const close = () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
      resolve({ port, hits: () => hits, setDelay: (ms) => (delay = ms), close });
    });
  });
}

/** A server on `dbUrl` with the shared test keys, the bootstrap owner and Berth's signal handling. */
function startOn(dbUrl: string, keys: { ENCRYPTION_KEYS: string; AUTH_SECRET: string }, extra: Record<string, string>): Promise<BerthServer> {
  return startBerth({
    DATABASE_URL: dbUrl,
    ...keys,
    NEXT_MANUAL_SIG_HANDLE: "true",
    BERTH_TEST_RATE_LIMIT: "1000",
    BERTH_ADMIN_EMAIL: ADMIN.email,
    BERTH_ADMIN_PASSWORD: ADMIN.password,
    BERTH_COMPANY_NAME: ADMIN.company,
    ...extra,
  });
}

/** Test-only keys (PostgreSQL mode needs them set explicitly, the same on every instance). */
const testKeys = () => ({ ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`, AUTH_SECRET: randomBytes(33).toString("base64") });

/** Signs in, creates a token and custom registries on loopback ports; returns their ids. */
async function seed(server: BerthServer, registries: { name: string; port: number }[]): Promise<{ companyId: string; token: string; ids: string[] }> {
  const api = await playwrightRequest.newContext({ baseURL: server.url });
  try {
    const { companyId, token } = await bootstrapOwner(api, ["registries:read", "registries:write"]);
    const ids: string[] = [];
    for (const r of registries) {
      const res = await api.post(`/api/v1/companies/${companyId}/registries`, {
        data: { name: r.name, type: "custom", credentials: { url: `http://127.0.0.1:${r.port}`, username: "robot", password: `pw-${r.name}-${Date.now()}` } },
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status(), await res.text()).toBe(201);
      ids.push((await res.json()).id as string);
    }
    return { companyId, token, ids };
  } finally {
    await api.dispose();
  }
}

/** Makes the registry's scheduled check due now (the schedule task would create it at its next run). */
async function checkDueNow(sql: postgres.Sql, registryId: string, companyId: string): Promise<void> {
  await sql`
    insert into jobs (kind, key, payload, run_at)
    values ('registry.check', ${`registry.check:${registryId}`}, ${sql.json({ registryId, companyId })}, now())
    on conflict (key) do update set run_at = now()`;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const start = Date.now();
  while (!(await ok())) {
    expect(Date.now() - start, what).toBeLessThan(ms);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Outcome = {
  kind: "ok" | "refused" | "failed";
  startedAt: number;
  /** When the TCP connection was established (undefined: it never was). */
  connectedAt?: number;
  endedAt: number;
  status?: number;
  error?: string;
  id?: string;
};

/**
 * One request on a new connection (as a client behind no load balancer makes them): 200,
 * refused at connect, or a failure (anything else), with the time its connection was made.
 */
let attempts = 0;
function attempt(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Outcome> {
  const startedAt = Date.now();
  const id = `shutdown-${process.pid}-${++attempts}`;
  return new Promise((resolve) => {
    let connectedAt: number | undefined;
    const req = http.request(url, { method: init.method ?? "GET", headers: { ...init.headers, "X-Request-Id": id }, agent: false, timeout: 20_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve({ kind: res.statusCode === 200 ? "ok" : "failed", status: res.statusCode, startedAt, connectedAt, endedAt: Date.now() }));
      res.on("error", (err) => resolve({ kind: "failed", error: String(err), startedAt, connectedAt, endedAt: Date.now() }));
    });
    req.on("socket", (socket) => socket.once("connect", () => (connectedAt = Date.now())));
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err: NodeJS.ErrnoException) => {
      resolve({ kind: err.code === "ECONNREFUSED" ? "refused" : "failed", error: `${err.code ?? ""} ${err.message}`, startedAt, connectedAt, endedAt: Date.now(), id });
    });
    req.end(init.body);
  });
}

test("SIGTERM under load: drain with 503 readiness, no request lost, the running check finishes once, exit 0", async () => {
  test.setTimeout(90_000);
  const db = await freshDatabase("shutdown");
  const jobRegistry = await slowRegistry(JOB_DELAY_MS);
  const testRegistry = await slowRegistry(600);
  let server: BerthServer | undefined;
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    server = await startOn(db.url, testKeys(), { BERTH_DRAIN_MS: String(DRAIN_MS), BERTH_SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS) });
    const {
      companyId,
      token,
      ids: [checkedId, testedId],
    } = await seed(server, [
      { name: "scheduled-slow", port: jobRegistry.port },
      { name: "tested-slow", port: testRegistry.port },
    ]);
    const auth = { Authorization: `Bearer ${token}` };
    await checkDueNow(sql, checkedId!, companyId);

    const list = `${server.url}/api/v1/companies/${companyId}/registries?limit=20`;
    const testUrl = `${server.url}/api/v1/companies/${companyId}/registries/${testedId}/test`;
    const outcomes: (Outcome & { what: string })[] = [];
    const readiness: { at: number; status: number | "refused" | "error"; shutdown?: string }[] = [];
    let exitedAt = 0;
    const exited = server.exited.then((r) => {
      exitedAt = Date.now();
      return r;
    });
    const loop = async (what: string, url: string, init: Parameters<typeof attempt>[1]) => {
      for (;;) {
        const o = await attempt(url, init);
        outcomes.push({ ...o, what });
        if (o.kind === "refused" && exitedAt) return;
        if (o.kind === "refused") await new Promise((r) => setTimeout(r, 50));
      }
    };
    const readyLoop = async () => {
      for (;;) {
        const at = Date.now();
        try {
          // A new connection each time, like the load balancer's probe: a keep-alive connection
          // that the server closes as idle just when the next probe reuses it fails that probe,
          // a race of the client's pool, not a request the server lost (CI saw one).
          const res = await fetch(`${server!.url}/api/ready`, { headers: { Connection: "close" }, signal: AbortSignal.timeout(5000) });
          const body = (await res.json()) as { checks?: { shutdown?: string } };
          readiness.push({ at, status: res.status, shutdown: body.checks?.shutdown });
        } catch (err) {
          const refused = (err as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED";
          readiness.push({ at, status: refused ? "refused" : "error" });
          if (exitedAt) return;
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    };

    const loops = [
      ...Array.from({ length: 8 }, () => loop("list", list, { headers: auth })),
      ...Array.from({ length: 2 }, () => loop("test", testUrl, { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: "{}" })),
      readyLoop(),
    ];

    // Wait until the scheduled check is talking to its slow registry (the runner polls every 5 s).
    await until("the scheduled check started", () => jobRegistry.hits() > 0, 20_000);
    await new Promise((r) => setTimeout(r, 300)); // steady load for a moment with the check in flight
    const sigtermAt = Date.now();
    process.kill(server.pid, "SIGTERM");
    const { code, signal } = await exited;
    await Promise.all(loops);
    const tookMs = exitedAt - sigtermAt;

    const output = server.output();
    const closeLine = output.split("\n").find((l) => l.includes("closing the listening sockets"));
    expect(closeLine, "the server logged when it stopped accepting").toBeTruthy();
    const closedAt = Date.parse(JSON.parse(closeLine!).time as string);
    const inFlightAtClose = Number(JSON.parse(closeLine!).inFlight);
    const ok = outcomes.filter((o) => o.kind === "ok");
    // Server side: no request reached Berth and went unanswered (499) or failed (5xx; readiness's
    // 503 during the drain is the point).
    const logged = output.split("\n").filter((l) => l.includes('"msg":"request"')).map((l) => JSON.parse(l) as { status: number; route: string; requestId?: string });
    const unanswered = logged.filter((l) => l.status === 499 || (l.status >= 500 && !(l.route === "/api/ready" && l.status === 503)));
    const seenIds = new Set(logged.map((l) => l.requestId));
    // Client side: every request Berth received completed 200. A request that failed must have
    // failed at the connection (refused, or reset while it waited in the kernel's accept queue as
    // the listening socket closed) and never reached Berth.
    const lost = outcomes.filter((o) => o.kind !== "ok" && seenIds.has(o.id));
    const notConnectionLevel = outcomes.filter((o) => o.kind === "failed" && (o.status !== undefined || !/ECONNRESET|EPIPE/.test(o.error ?? "")));
    const resets = outcomes.filter((o) => o.kind === "failed" && /ECONNRESET|EPIPE/.test(o.error ?? ""));
    const firstRefusal = Math.min(...outcomes.filter((o) => o.kind === "refused").map((o) => o.startedAt));
    const figures = {
      requests: outcomes.length,
      resetInAcceptQueue: resets.length,
      resetConnectedMsBeforeClose: resets.map((o) => (o.connectedAt === undefined ? null : closedAt - o.connectedAt)),
      ok: ok.length,
      okAfterSigterm: ok.filter((o) => o.startedAt >= sigtermAt).length,
      okConnectedBeforeCloseEndedAfter: ok.filter((o) => o.connectedAt! < closedAt && o.endedAt > closedAt).length,
      refused: outcomes.filter((o) => o.kind === "refused").length,
      lostInFlight: lost.length,
      inFlightAtClose,
      serverLogLines: logged.length,
      drainMs: closedAt - sigtermAt,
      sigtermToExitMs: tookMs,
      refusingBeforeExitMs: exitedAt - firstRefusal,
    };
    console.log(`shutdown figures: ${JSON.stringify(figures)}`);

    expect(lost, JSON.stringify(lost.slice(0, 5))).toEqual([]);
    expect(notConnectionLevel, JSON.stringify(notConnectionLevel.slice(0, 5))).toEqual([]);
    expect(unanswered).toEqual([]);
    // Resets happen only at the moment the listening socket closes (the accept queue), never earlier.
    for (const o of resets) expect(Math.abs(o.endedAt - closedAt), JSON.stringify(o)).toBeLessThan(1000);
    expect(inFlightAtClose, "requests were in flight when accepting stopped").toBeGreaterThan(0);
    expect({ code, signal }, output.slice(-3000)).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(DRAIN_MS + TIMEOUT_MS);
    // The drain really lasted: accepting stopped after it, and nothing was refused before.
    expect(closedAt - sigtermAt).toBeGreaterThanOrEqual(DRAIN_MS - 50);
    expect(firstRefusal).toBeGreaterThanOrEqual(closedAt);
    // Requests were served during the drain, and readiness said 503 "draining" meanwhile.
    expect(ok.filter((o) => o.startedAt > sigtermAt + 200 && o.endedAt < sigtermAt + DRAIN_MS - 200).length).toBeGreaterThan(0);
    const drained = readiness.filter((r) => r.at > sigtermAt + 100 && r.at < sigtermAt + DRAIN_MS - 100);
    expect(drained.length).toBeGreaterThan(0);
    for (const r of drained) expect(r).toMatchObject({ status: 503, shutdown: "draining" });
    expect(readiness.filter((r) => r.at < sigtermAt - 200).every((r) => r.status === 200)).toBe(true);
    // (A probe begun in the last 100 ms before the close may still sit in the kernel's accept
    // queue when the listening socket closes, and be reset rather than refused: not counted.)
    expect(readiness.filter((r) => r.at < closedAt - 100 && typeof r.status !== "number")).toEqual([]);
    // New connections were refused while the process still finished the check (the job phase).
    expect(firstRefusal).toBeLessThan(exitedAt - 500);
    for (const phase of ["draining", "no longer accepting", "stopping the job runner", "closing the database pool", "shutdown: done"]) expect(output).toContain(phase);

    // The check in flight at SIGTERM completed, once; its job waits for its next slot, unclaimed.
    const checks = await sql`select trigger, status from registry_checks where registry_id = ${checkedId!}`;
    expect(checks.map((c) => c.trigger)).toEqual(["schedule"]);
    const [job] = await sql`select claim, lease_until, run_at > now() as later, last_error from jobs where key = ${`registry.check:${checkedId}`}`;
    expect(job).toMatchObject({ claim: null, lease_until: null, later: true, last_error: null });
    expect(jobRegistry.hits()).toBeGreaterThanOrEqual(1);
  } finally {
    await server?.stop();
    await sql.end();
    await jobRegistry.close();
    await testRegistry.close();
    await db.drop();
  }
});

test("a check that outlasts the shutdown budget is handed back, exit 1, and another instance runs it", async () => {
  test.setTimeout(90_000);
  const db = await freshDatabase("shutdown");
  const registry = await slowRegistry(60_000);
  const keys = testKeys();
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  let a: BerthServer | undefined;
  let b: BerthServer | undefined;
  try {
    a = await startOn(db.url, keys, { BERTH_DRAIN_MS: "0", BERTH_SHUTDOWN_TIMEOUT_MS: "2000" });
    const {
      companyId,
      ids: [id],
    } = await seed(a, [{ name: "outlasts", port: registry.port }]);
    await checkDueNow(sql, id!, companyId);
    await until("the scheduled check started", () => registry.hits() > 0, 20_000);
    const sigtermAt = Date.now();
    process.kill(a.pid, "SIGTERM");
    const exit = await a.exited;
    const tookMs = Date.now() - sigtermAt;
    const output = a.output();
    expect(exit, output.slice(-3000)).toEqual({ code: 1, signal: null });
    expect(tookMs).toBeLessThan(2000 + 3000); // the budget, plus the pool's close
    expect(output).toMatch(/"aborted":1[^\n]*job runner stopped/);
    expect(output).toContain("shutdown: done, with problems");

    // Handed back: unclaimed, due again soon, no result recorded.
    const [job] = await sql`select claim, lease_until, last_error, run_at - now() < interval '1 minute' as soon from jobs where key = ${`registry.check:${id}`}`;
    expect(job).toMatchObject({ claim: null, lease_until: null, soon: true });
    expect(String(job!.last_error)).toMatch(/cancelled/);
    expect(await sql`select 1 from registry_checks where registry_id = ${id!}`).toHaveLength(0);

    // Another instance on the same database runs it again (after the retry backoff), once.
    registry.setDelay(0);
    const metricsToken = `metrics-${Date.now()}-pool`;
    b = await startOn(db.url, keys, { BERTH_DRAIN_MS: "0", BERTH_METRICS_TOKEN: metricsToken });
    await until("the other instance ran the check", async () => (await sql`select 1 from registry_checks where registry_id = ${id!}`).length > 0, 30_000);
    const checks = await sql`select trigger from registry_checks where registry_id = ${id!}`;
    expect(checks.map((c) => c.trigger)).toEqual(["schedule"]);

    // On PostgreSQL the pool gauge reads this instance's connections from pg_stat_activity.
    const scraped = await fetch(`${b.url}/api/metrics`, { headers: { Authorization: `Bearer ${metricsToken}` } });
    expect(scraped.status).toBe(200);
    const pool = parsePrometheusTextFormat(await scraped.text()).find((f) => f.name === "berth_db_pool_connections");
    const poolValue = (state: string) => Number(pool?.metrics.find((m) => m.labels?.state === state)?.value);
    expect(poolValue("max")).toBe(10);
    expect(poolValue("open")).toBeGreaterThanOrEqual(1);
    expect(poolValue("open")).toBeLessThanOrEqual(10);
    expect(poolValue("active")).toBeGreaterThanOrEqual(1); // the statement that read it
    console.log(`handed-back figures: ${JSON.stringify({ sigtermToExitMs: tookMs, exitCode: exit.code, registryHits: registry.hits() })}`);
  } finally {
    await a?.stop();
    await b?.stop();
    await sql.end();
    await registry.close();
    await db.drop();
  }
});
