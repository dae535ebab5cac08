/**
 * One instance directly vs three instances behind nginx, on the same load, side by side.
 *
 *   npx tsx bench/cluster.ts [--connections 16] [--seconds 8] [--rounds 3] [--registries 50]
 *       [--limit 30] [--out FILE]
 *
 * Needs the production build (`npx next build`), nginx, wrk and a PostgreSQL on loopback
 * (DATABASE_URL's server, else postgres://postgres@127.0.0.1:5432). Each side gets a fresh
 * database (e2e/support/cluster.ts): the single instance is a cluster of one, reached without
 * nginx; the other is three instances behind nginx, round robin.
 *
 * Load: `GET …/registries?limit=50` with an API token (a company of `--registries` registries),
 * with wrk, the two sides alternating for `--rounds` rounds. Figures: requests, errors (non-2xx
 * and socket errors), p50/p99 latency (medians over the rounds), and how nginx spread the
 * requests. Then the limits, each asked 3× its N (8 at a time; Test Connection 4): pull secrets
 * (BERTH_PULL_RATE_LIMIT=`--limit`), Test Connection (BERTH_TEST_RATE_LIMIT=10) and wrong
 * passwords from one address (5): admitted must be N on both sides, not 3N on three.
 *
 * All instances share the machine's cores: on 2 cores three instances are not faster than
 * one (they split the same CPU, and nginx adds a hop); what they add is availability.
 */
import { writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startCluster, type BerthCluster } from "../e2e/support/cluster";
import { fmt, log, median, wrk, type WrkResult } from "./lib";

const argv = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : def;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive whole number`);
  return v;
};
const outIdx = argv.indexOf("--out");
const OUT = outIdx >= 0 ? argv[outIdx + 1] : undefined;
const CONNECTIONS = arg("connections", 16);
const SECONDS = arg("seconds", 8);
const ROUNDS = arg("rounds", 3);
const REGISTRIES = arg("registries", 50);
const LIMIT = arg("limit", 30);
const TEST_LIMIT = 10;
/** Wrong passwords allowed for one account from one address per 15 minutes (lib/auth/sign-in.ts). */
const SIGNIN_LIMIT = 5;
const OWNER = { email: "bench-owner@example.com", password: "bench-owner-password-1", company: "bench" };

interface Side {
  name: string;
  cluster: BerthCluster;
  /** Where the load goes: the instance itself, or nginx. */
  url: string;
  companyId: string;
  token: string;
  /** A registry to ask pull secrets for. */
  registryId: string;
}

/** Signs in over plain HTTP and returns the session cookie. */
async function signIn(url: string): Promise<string> {
  const csrf = await fetch(`${url}/api/auth/csrf`);
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: jar, "content-type": "application/x-www-form-urlencoded", origin: url },
    body: new URLSearchParams({ csrfToken, email: OWNER.email, password: OWNER.password }).toString(),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`sign-in failed (${res.status})`);
  return session.split(";")[0]!;
}

async function prepare(name: string, size: number): Promise<Side> {
  log(`${name}: starting ${size} instance(s) on a fresh database`);
  const cluster = await startCluster({
    size,
    env: { BERTH_ADMIN_EMAIL: OWNER.email, BERTH_ADMIN_PASSWORD: OWNER.password, BERTH_COMPANY_NAME: OWNER.company, BERTH_PULL_RATE_LIMIT: String(LIMIT), BERTH_TEST_RATE_LIMIT: String(TEST_LIMIT), LOG_LEVEL: "warn", BERTH_JOBS: "off" },
  });
  try {
    return await seed(name, cluster, size === 1 ? cluster.instances[0]!.url : cluster.url);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

async function seed(name: string, cluster: BerthCluster, url: string): Promise<Side> {
  const cookie = await signIn(url);
  const me = (await (await fetch(`${url}/api/v1/me`, { headers: { cookie } })).json()) as { companies: { id: string }[] };
  const companyId = me.companies[0]!.id;
  const tokenRes = await fetch(`${url}/api/v1/companies/${companyId}/tokens`, {
    method: "POST",
    headers: { cookie, origin: url, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", scopes: ["registries:read", "registries:write", "registries:pull"] }),
  });
  if (tokenRes.status !== 201) throw new Error(`token: ${tokenRes.status} ${await tokenRes.text()}`);
  const { token } = (await tokenRes.json()) as { token: string };
  let registryId = "";
  for (let i = 0; i < REGISTRIES; i++) {
    const res = await fetch(`${url}/api/v1/companies/${companyId}/registries`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: `bench ${i}`, type: "custom", credentials: { url: `127.0.0.1:5990/bench-${i}`, username: `robot-${i}`, password: `bench-password-${i}` } }),
    });
    if (res.status !== 201) throw new Error(`registry ${i}: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    registryId ||= id;
  }
  return { name, cluster, url, companyId, token, registryId };
}

interface Admission {
  asked: number;
  admitted: number;
  limited: number;
  other: number;
  instances: number;
}

/** `asked` calls of `call`, `parallel` at a time: how many were admitted, refused (`isLimited`), or else. */
async function admissions(
  asked: number,
  call: () => Promise<Response>,
  isAdmitted: (r: Response) => boolean,
  isLimited: (r: Response) => boolean,
  parallel = 8,
): Promise<Admission> {
  let admitted = 0;
  let limited = 0;
  const instances = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < asked) {
      next++;
      const res = await call();
      await res.arrayBuffer();
      if (isAdmitted(res)) admitted++;
      else if (isLimited(res)) limited++;
      const id = res.headers.get("x-berth-instance");
      if (id) instances.add(id);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { asked, admitted, limited, other: asked - admitted - limited, instances: instances.size };
}

const pullRun = (side: Side) =>
  admissions(
    3 * LIMIT,
    () =>
      fetch(`${side.url}/api/v1/companies/${side.companyId}/registries/pull-secret`, {
        method: "POST",
        headers: { authorization: `Bearer ${side.token}`, "content-type": "application/json" },
        body: JSON.stringify({ registryIds: [side.registryId], format: "dockerconfigjson" }),
      }),
    (r) => r.status === 200,
    (r) => r.status === 429,
  );

/** Test Connection of a saved registry that points at a loopback server answering the version check. */
async function testRun(side: Side, registryPort: number): Promise<Admission> {
  const created = await fetch(`${side.url}/api/v1/companies/${side.companyId}/registries`, {
    method: "POST",
    headers: { authorization: `Bearer ${side.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench tested", type: "custom", credentials: { url: `127.0.0.1:${registryPort}`, username: "robot", password: "bench-password-t" } }),
  });
  if (created.status !== 201) throw new Error(`registry: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  return admissions(
    3 * TEST_LIMIT,
    () => fetch(`${side.url}/api/v1/companies/${side.companyId}/registries/${id}/test`, { method: "POST", headers: { authorization: `Bearer ${side.token}`, "content-type": "application/json" }, body: "{}" }),
    (r) => r.status === 200,
    (r) => r.status === 429,
    // Below the 5 tests a company may run at once, so every 429 is the per-minute budget's.
    4,
  );
}

/** Wrong passwords for the owner from one address: answered as wrong (admitted) or throttled. */
function signInRun(side: Side): Promise<Admission> {
  return admissions(
    3 * SIGNIN_LIMIT,
    async () => {
      const csrf = await fetch(`${side.url}/api/auth/csrf`);
      const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      return fetch(`${side.url}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie: jar, "content-type": "application/x-www-form-urlencoded", origin: side.url },
        body: new URLSearchParams({ csrfToken, email: OWNER.email, password: "not-the-password" }).toString(),
      });
    },
    (r) => codeOf(r) === "credentials",
    (r) => codeOf(r) === "throttled",
  );
}

const codeOf = (r: Response) => new URL(r.headers.get("location") ?? "/", "http://127.0.0.1").searchParams.get("code");

async function main() {
  const sides: Side[] = [];
  try {
    sides.push(await prepare("one instance", 1));
    sides.push(await prepare("three behind nginx", 3));
    const results = new Map<string, WrkResult[]>(sides.map((s) => [s.name, []]));
    const listUrl = (s: Side) => `${s.url}/api/v1/companies/${s.companyId}/registries?limit=50`;
    log(`warm-up, then ${ROUNDS} rounds of ${SECONDS} s at ${CONNECTIONS} connections, alternating`);
    for (const s of sides) wrk(listUrl(s), { connections: CONNECTIONS, seconds: 2, headers: { Authorization: `Bearer ${s.token}` } });
    const before = await sides[1]!.cluster.servedByPort();
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const s of order) results.get(s.name)!.push(wrk(listUrl(s), { connections: CONNECTIONS, seconds: SECONDS, headers: { Authorization: `Bearer ${s.token}` } }));
    }
    const after = await sides[1]!.cluster.servedByPort();
    const spread = sides[1]!.cluster.instances.map((i) => (after.get(i.port) ?? 0) - (before.get(i.port) ?? 0));
    log("rate limit runs");
    const registry = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" });
      res.end("{}");
    });
    await new Promise<void>((r) => registry.listen(0, "127.0.0.1", r));
    const registryPort = (registry.address() as AddressInfo).port;
    const limits: { label: string; limit: number; runs: Admission[] }[] = [
      { label: `pull secrets (${LIMIT}/min per token)`, limit: LIMIT, runs: [] },
      { label: `Test Connection (${TEST_LIMIT}/min per user)`, limit: TEST_LIMIT, runs: [] },
      { label: `wrong passwords (${SIGNIN_LIMIT}/15 min per account and address)`, limit: SIGNIN_LIMIT, runs: [] },
    ];
    try {
      for (const s of sides) {
        limits[0]!.runs.push(await pullRun(s));
        limits[1]!.runs.push(await testRun(s, registryPort));
        limits[2]!.runs.push(await signInRun(s));
      }
    } finally {
      await new Promise((r) => registry.close(r));
    }

    const rows: string[][] = [["", ...sides.map((s) => s.name)]];
    const pick = (f: (w: WrkResult) => number, digits = 0) => sides.map((s) => fmt(median(results.get(s.name)!.map(f)), digits));
    const total = (f: (w: WrkResult) => number) => sides.map((s) => String(results.get(s.name)!.map(f).reduce((a, b) => a + b, 0)));
    rows.push(["requests (all rounds)", ...total((w) => w.requests)]);
    rows.push(["requests/s (median)", ...pick((w) => w.rps)]);
    rows.push(["errors: non-2xx", ...total((w) => w.non2xx)]);
    rows.push(["errors: socket", ...total((w) => w.errors)]);
    rows.push(["p50 ms (median)", ...pick((w) => w.p50, 1)]);
    rows.push(["p99 ms (median)", ...pick((w) => w.p99, 1)]);
    rows.push(["requests per instance", "all", spread.join(" / ")]);
    for (const l of limits) {
      rows.push([`${l.label}: asked / admitted / refused`, ...l.runs.map((r) => `${r.asked} / ${r.admitted} / ${r.limited}${r.other ? ` (+${r.other} other)` : ""}`)]);
    }
    rows.push(["instances that answered the limited calls", ...sides.map((_, i) => String(Math.max(...limits.map((l) => l.runs[i]!.instances))))]);
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
    const table = [line(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
    const note =
      `GET …/registries?limit=50 (${REGISTRIES} registries) with an API token, wrk ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per side, alternating; ` +
      `PostgreSQL on loopback, every process on this machine's ${(await import("node:os")).cpus().length} cores.`;
    const text = `${table}\n\n${note}\n`;
    process.stdout.write(text);
    if (OUT) writeFileSync(OUT, text);
    for (const l of limits) {
      if (l.runs.some((r) => r.admitted !== l.limit || r.other > 0)) {
        process.exitCode = 1;
        log(`${l.label} admitted ${l.runs.map((r) => r.admitted).join(" and ")} (expected ${l.limit} on each side)`);
      }
    }
  } finally {
    for (const s of sides) await s.cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
