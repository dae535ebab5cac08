import http from "node:http";
import net from "node:net";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { psql, startCluster, type BerthCluster } from "../support/cluster";
import { startBerth } from "../support/server";
import { ADMIN, bootstrapOwner } from "../support/session";

/**
 * Three instances on one PostgreSQL behind nginx (round robin) behave as one: requests spread,
 * a session made through one instance holds on the others, rate limits of N per minute admit N
 * across the cluster (not 3N), the caller's address is the one nginx appends (a client-sent
 * X-Forwarded-For is not believed), and first-run links printed by instances that started
 * together all work.
 */
const PULL_LIMIT = 6;
const TEST_LIMIT = 4;
/** Wrong passwords allowed for one account from one address per window (lib/auth/sign-in.ts). */
const SIGNIN_MAX_PER_ACCOUNT_ADDRESS = 5;

test.describe.configure({ mode: "serial" });

let cluster: BerthCluster;
let request: APIRequestContext;
let companyId: string;
let token: string;

test.beforeAll(async ({ playwright }) => {
  test.setTimeout(180_000);
  cluster = await startCluster({
    env: {
      BERTH_ADMIN_EMAIL: ADMIN.email,
      BERTH_ADMIN_PASSWORD: ADMIN.password,
      BERTH_COMPANY_NAME: ADMIN.company,
      BERTH_PULL_RATE_LIMIT: String(PULL_LIMIT),
      BERTH_TEST_RATE_LIMIT: String(TEST_LIMIT),
      // A day between scheduled checks: no registry's own slot falls inside the test.
      BERTH_CHECK_INTERVAL_MINUTES: "1440",
    },
  });
  request = await playwright.request.newContext({ baseURL: cluster.url });
  ({ companyId, token } = await bootstrapOwner(request));
});

test.afterAll(async () => {
  await request?.dispose();
  await cluster?.stop();
});

/** Which instance answered (its X-Berth-Instance id) → how many times. */
function tally(ids: (string | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

test("three instances started at once on an empty database: one owner and company, and round robin spreads requests", async () => {
  const me = await (await request.get("/api/v1/me")).json();
  expect(me.companies.map((c: { slug: string }) => c.slug)).toEqual([ADMIN.slug]);
  expect(new Set(cluster.instanceIds).size).toBe(3);

  const before = await cluster.servedByPort();
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    ids.push(res.headers()["x-berth-instance"]!);
  }
  const counts = tally(ids);
  expect([...counts.keys()].sort()).toEqual([...cluster.instanceIds].sort());
  for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(5);
  // nginx's own log agrees: every upstream port took part.
  const after = await cluster.servedByPort();
  for (const instance of cluster.instances) expect((after.get(instance.port) ?? 0) - (before.get(instance.port) ?? 0)).toBeGreaterThanOrEqual(5);
});

test("a session signed in through nginx holds on every instance", async ({ playwright }) => {
  // `request` signed in (bootstrapOwner); a fresh context signs in once more to be sure of the cookie's origin.
  const fresh = await playwright.request.newContext({ baseURL: cluster.url });
  const { csrfToken } = await (await fresh.get("/api/auth/csrf")).json();
  const signIn = await fresh.post("/api/auth/callback/credentials", { form: { csrfToken, email: ADMIN.email, password: ADMIN.password }, maxRedirects: 0 });
  expect([200, 302]).toContain(signIn.status());
  const answered: string[] = [];
  for (let i = 0; i < 12; i++) {
    const res = await fresh.get("/api/v1/me");
    expect(res.status()).toBe(200);
    expect((await res.json()).user.email).toBe(ADMIN.email);
    answered.push(res.headers()["x-berth-instance"]!);
  }
  expect(tally(answered).size).toBe(3);
  // Signing out through one instance ends the session on all of them, even for a kept copy of the cookie.
  const session = (await fresh.storageState()).cookies.find((c) => c.name === "authjs.session-token");
  expect(session).toBeTruthy();
  const csrf2 = (await (await fresh.get("/api/auth/csrf")).json()).csrfToken;
  const out = await fresh.post("/api/auth/signout", { form: { csrfToken: csrf2 }, maxRedirects: 0 });
  expect([200, 302]).toContain(out.status());
  const copied = await playwright.request.newContext({ baseURL: cluster.url, extraHTTPHeaders: { cookie: `${session!.name}=${session!.value}` } });
  const refusedBy: string[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await copied.get("/api/v1/me");
    expect(res.status()).toBe(401);
    refusedBy.push(res.headers()["x-berth-instance"]!);
  }
  expect(tally(refusedBy).size).toBe(3);
  await copied.dispose();
  await fresh.dispose();
});

test(`the pull-secret limit of ${PULL_LIMIT} a minute admits ${PULL_LIMIT} across the three instances, not ${3 * PULL_LIMIT}`, async () => {
  const host = "127.0.0.1:5995";
  const created = await request.post(`/api/v1/companies/${companyId}/registries`, {
    data: { name: `cluster pull ${Date.now()}`, type: "custom", credentials: { url: `${host}/cluster-${Date.now()}`, username: "robot", password: "cluster-password-1" } },
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(created.status(), await created.text()).toBe(201);
  const statuses: number[] = [];
  const answered: string[] = [];
  for (let i = 0; i < 3 * PULL_LIMIT; i++) {
    const res = await request.post(`/api/v1/companies/${companyId}/registries/pull-secret`, {
      data: { hosts: [host], format: "dockerconfigjson" },
      headers: { Authorization: `Bearer ${token}` },
    });
    if (i === 0) expect(res.status(), await res.text()).toBe(200);
    statuses.push(res.status());
    answered.push(res.headers()["x-berth-instance"]!);
    if (res.status() === 429) expect(Number(res.headers()["retry-after"])).toBeGreaterThanOrEqual(1);
  }
  expect(statuses.filter((s) => s === 200)).toHaveLength(PULL_LIMIT);
  expect(statuses.filter((s) => s === 429)).toHaveLength(2 * PULL_LIMIT);
  expect(statuses.slice(0, PULL_LIMIT).every((s) => s === 200)).toBe(true);
  expect(tally(answered).size).toBe(3);
});

test(`the Test Connection limit of ${TEST_LIMIT} a minute admits ${TEST_LIMIT} across the three instances`, async () => {
  // A registry on loopback that answers the API version check.
  const registry = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" });
    res.end("{}");
  });
  await new Promise<void>((r) => registry.listen(0, "127.0.0.1", r));
  const port = (registry.address() as net.AddressInfo).port;
  try {
    const created = await request.post(`/api/v1/companies/${companyId}/registries`, {
      data: { name: `cluster test ${Date.now()}`, type: "custom", credentials: { url: `127.0.0.1:${port}`, username: "robot", password: "cluster-password-2" } },
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(created.status(), await created.text()).toBe(201);
    const { id } = await created.json();
    const statuses: number[] = [];
    for (let i = 0; i < 3 * TEST_LIMIT; i++) {
      const res = await request.post(`/api/v1/companies/${companyId}/registries/${id}/test`, { data: {}, headers: { Authorization: `Bearer ${token}` } });
      statuses.push(res.status());
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(2 * TEST_LIMIT);
    expect(statuses.filter((s) => s !== 429).every((s) => s === 200)).toBe(true);
  } finally {
    await new Promise((r) => registry.close(r));
  }
});

test("webhook events enqueued on any instance are delivered once each, not once per instance", async () => {
  const received: { delivery: string; event: string; id: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      received.push({ delivery: String(req.headers["berth-delivery"]), event: String(req.headers["berth-event"]), id: String(JSON.parse(body).id) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as net.AddressInfo).port;
  try {
    const hook = await request.post(`/api/v1/companies/${companyId}/webhooks`, {
      data: { url: `http://127.0.0.1:${port}/hook`, events: ["registry.created"] },
      headers: { Origin: cluster.url },
    });
    expect(hook.status(), await hook.text()).toBe(201);
    const stamp = Date.now();
    const createdOn: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request.post(`/api/v1/companies/${companyId}/registries`, {
        data: { name: `cluster hook ${stamp} ${i}`, type: "custom", credentials: { url: `127.0.0.1:5994/hook-${stamp}-${i}`, username: "robot", password: "cluster-password-3" } },
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status(), await res.text()).toBe(201);
      createdOn.push(res.headers()["x-berth-instance"]!);
    }
    expect(tally(createdOn).size).toBe(3);
    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    // Every runner polls every 5 s: give them two rounds to send a duplicate, if they would.
    await new Promise((r) => setTimeout(r, 11_000));
    expect(received.every((r) => r.event === "registry.created")).toBe(true);
    expect(received).toHaveLength(6);
    expect(new Set(received.map((r) => r.delivery)).size).toBe(6);
    expect(new Set(received.map((r) => r.id)).size).toBe(6);
  } finally {
    await new Promise((r) => receiver.close(r));
  }
});

test("scheduled checks that fall due run once across the three instances' job runners", async () => {
  const registry = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" });
    res.end("{}");
  });
  await new Promise<void>((r) => registry.listen(0, "127.0.0.1", r));
  const port = (registry.address() as net.AddressInfo).port;
  try {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request.post(`/api/v1/companies/${companyId}/registries`, {
        data: { name: `cluster scheduled ${Date.now()} ${i}`, type: "custom", credentials: { url: `127.0.0.1:${port}/scheduled-${i}`, username: "robot", password: "cluster-password-4" } },
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status(), await res.text()).toBe(201);
      ids.push((await res.json()).id);
    }
    // Their check jobs fall due now (as the scheduler makes them at their slot); three runners poll for them.
    const list = ids.map((id) => `'${id}'`).join(",");
    psql(
      cluster.databaseUrl,
      `insert into jobs (kind, key, payload, run_at)
       select 'registry.check', 'registry.check:' || r.id::text, jsonb_build_object('registryId', r.id::text, 'companyId', r.company_id::text), now()
       from registries r where r.id in (${list})
       on conflict (key) do update set run_at = now()`,
    );
    const scheduledChecks = async (id: string) => {
      const res = await request.get(`/api/v1/companies/${companyId}/registries/${id}/checks?limit=100`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status()).toBe(200);
      return ((await res.json()).items as { trigger: string }[]).filter((c) => c.trigger === "schedule").length;
    };
    await expect.poll(async () => (await Promise.all(ids.map(scheduledChecks))).every((n) => n >= 1), { timeout: 30_000 }).toBe(true);
    // Every runner polls every 5 s: two more rounds in which a second runner could run a check again.
    await new Promise((r) => setTimeout(r, 11_000));
    expect(await Promise.all(ids.map(scheduledChecks))).toEqual(ids.map(() => 1));
    // Each job moved on to its next slot, a day ahead at most.
    const next = psql(cluster.databaseUrl, `select count(*) from jobs where key in (${ids.map((id) => `'registry.check:${id}'`).join(",")}) and run_at > now() and run_at <= now() + interval '1 day' and claim is null`);
    expect(Number(next.trim())).toBe(6);
  } finally {
    await new Promise((r) => registry.close(r));
  }
});

/** One HTTP request sent from `localAddress` (another loopback address than nginx's own). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers, localAddress: options.localAddress }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A sign-in attempt over plain HTTP from `localAddress`; the `code` of the answer's redirect, or "signed-in". */
async function signInFrom(localAddress: string, password: string, spoofedFor: string): Promise<string> {
  const xff = { "X-Forwarded-For": spoofedFor };
  const csrf = await send(`${cluster.url}/api/auth/csrf`, { localAddress, headers: xff });
  const cookie = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  const form = new URLSearchParams({ csrfToken: JSON.parse(csrf.body).csrfToken, email: ADMIN.email, password });
  const res = await send(`${cluster.url}/api/auth/callback/credentials`, {
    method: "POST",
    localAddress,
    headers: { ...xff, cookie, "content-type": "application/x-www-form-urlencoded", origin: cluster.url },
    body: form.toString(),
  });
  if ((res.headers["set-cookie"] ?? []).some((c) => c.startsWith("authjs.session-token="))) return "signed-in";
  return new URL(String(res.headers.location ?? "/"), cluster.url).searchParams.get("code") ?? `status ${res.status}`;
}

test("sign-in throttling holds across the instances, keyed on the address nginx appends; a client-sent X-Forwarded-For is not believed", async () => {
  const results: string[] = [];
  // Every attempt claims another address; nginx appends the real one (127.0.0.2), the one Berth uses.
  for (let i = 1; i <= SIGNIN_MAX_PER_ACCOUNT_ADDRESS + 2; i++) results.push(await signInFrom("127.0.0.2", "not-the-password", `198.51.100.${i}`));
  expect(results.slice(0, SIGNIN_MAX_PER_ACCOUNT_ADDRESS)).toEqual(Array(SIGNIN_MAX_PER_ACCOUNT_ADDRESS).fill("credentials"));
  expect(results.slice(SIGNIN_MAX_PER_ACCOUNT_ADDRESS)).toEqual(["throttled", "throttled"]);
  // Throttled from 127.0.0.2 even with the right password; from another address the owner still signs in.
  expect(await signInFrom("127.0.0.2", ADMIN.password, "198.51.100.200")).toBe("throttled");
  expect(await signInFrom("127.0.0.3", ADMIN.password, "198.51.100.201")).toBe("signed-in");

  // The audit log records the address nginx saw, never the claimed one.
  const audit = await request.get(`/api/v1/companies/${companyId}/audit-events?filter.action=auth.sign_in_failed&limit=50`);
  expect(audit.status(), await audit.text()).toBe(200);
  const ips = ((await audit.json()).items as { ip: string | null }[]).map((e) => e.ip);
  expect(ips).toHaveLength(SIGNIN_MAX_PER_ACCOUNT_ADDRESS);
  expect(new Set(ips)).toEqual(new Set(["127.0.0.2"]));
});

test("an instance on PostgreSQL without ENCRYPTION_KEYS and AUTH_SECRET refuses to start, naming them", async () => {
  await expect(startBerth({ DATABASE_URL: cluster.databaseUrl })).rejects.toThrow(/ENCRYPTION_KEYS and AUTH_SECRET must be set when DATABASE_URL is set/);
});

test("instances starting at once on an empty database without BERTH_ADMIN_* each print a setup link that works", async ({ playwright }) => {
  test.setTimeout(120_000);
  const pair = await startCluster({ size: 2 });
  try {
    const anonymous = await playwright.request.newContext({ baseURL: pair.url });
    const codes = pair.instances.map((i) => /\/setup\?code=([A-Za-z0-9_-]+)/.exec(i.output())?.[1]);
    expect(codes.every(Boolean)).toBe(true);
    expect(new Set(codes).size).toBe(2);
    for (const code of codes) {
      // Through nginx, so each link is tried on whichever instance answers.
      for (let i = 0; i < 2; i++) {
        const page = await anonymous.get(`/setup?code=${code}`);
        expect(page.status()).toBe(200);
        expect(await page.text()).toContain("Create the first owner account and your company.");
      }
    }
    const wrong = await anonymous.get("/setup?code=not-a-printed-code");
    expect(await wrong.text()).toContain("That setup code is not valid.");
    await anonymous.dispose();
  } finally {
    await pair.stop();
  }
});
