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
 * requests. Then the rate limit: BERTH_PULL_RATE_LIMIT=`--limit` on every instance, and 3×limit
 * pull-secret requests (8 at a time): admitted must be `--limit` on both sides, not 3× on three.
 *
 * All instances share the machine's cores: on 2 cores three instances are not faster than
 * one (they split the same CPU, and nginx adds a hop); what they add is availability.
 */
import { writeFileSync } from "node:fs";
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
    env: { BERTH_ADMIN_EMAIL: OWNER.email, BERTH_ADMIN_PASSWORD: OWNER.password, BERTH_COMPANY_NAME: OWNER.company, BERTH_PULL_RATE_LIMIT: String(LIMIT), LOG_LEVEL: "warn", BERTH_JOBS: "off" },
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

/** 3×LIMIT pull-secret requests, 8 at a time; how many were admitted and what else came back. */
async function rateLimitRun(side: Side): Promise<{ asked: number; admitted: number; limited: number; other: number; instances: number }> {
  const asked = 3 * LIMIT;
  const statuses: number[] = [];
  const instances = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < asked) {
      next++;
      const res = await fetch(`${side.url}/api/v1/companies/${side.companyId}/registries/pull-secret`, {
        method: "POST",
        headers: { authorization: `Bearer ${side.token}`, "content-type": "application/json" },
        body: JSON.stringify({ registryIds: [side.registryId], format: "dockerconfigjson" }),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
      const id = res.headers.get("x-berth-instance");
      if (id) instances.add(id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const admitted = statuses.filter((s) => s === 200).length;
  const limited = statuses.filter((s) => s === 429).length;
  return { asked, admitted, limited, other: asked - admitted - limited, instances: instances.size };
}

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
    const limits = [];
    for (const s of sides) limits.push(await rateLimitRun(s));

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
    rows.push([`pull secrets: asked, limit ${LIMIT}/min`, ...limits.map((l) => String(l.asked))]);
    rows.push(["pull secrets: admitted", ...limits.map((l) => String(l.admitted))]);
    rows.push(["pull secrets: 429", ...limits.map((l) => String(l.limited))]);
    rows.push(["pull secrets: other answers", ...limits.map((l) => String(l.other))]);
    rows.push(["pull secrets: instances that answered", ...limits.map((l) => String(l.instances))]);
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
    const table = [line(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
    const note =
      `GET …/registries?limit=50 (${REGISTRIES} registries) with an API token, wrk ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per side, alternating; ` +
      `PostgreSQL on loopback, every process on this machine's ${(await import("node:os")).cpus().length} cores.`;
    const text = `${table}\n\n${note}\n`;
    process.stdout.write(text);
    if (OUT) writeFileSync(OUT, text);
    const wrong = limits.filter((l) => l.admitted !== LIMIT || l.other > 0);
    if (wrong.length > 0) {
      process.exitCode = 1;
      log(`the rate limit admitted ${limits.map((l) => l.admitted).join(" and ")} (expected ${LIMIT} on each side)`);
    }
  } finally {
    for (const s of sides) await s.cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
