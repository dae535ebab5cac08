/**
 * Test Connection latency: the API against `skopeo login`, on the same local registries.
 *
 *   npx tsx --conditions=react-server bench/test-connection.ts [--runs 30]
 *
 * Starts, on 127.0.0.1 only: a TLS htpasswd registry (Basic) and a TLS token-auth registry
 * with its token server (Bearer), all under one test CA; a fresh database (PGlite in memory,
 * or a new database on DATABASE_URL's server) with a company, its owner and the two registries
 * saved. Then, per registry, alternates N runs of
 *   (a) `POST …/registries/validate` and `POST …/registries/{id}/test`, called through the route
 *       handlers in this process (authentication, permission, rate limit and concurrency lease
 *       in the database, decryption, the engine, lastTest and audit: everything but the HTTP
 *       server), and
 *   (b) `skopeo login --cert-dir DIR` (the same CA; a throw-away auth file),
 * changing which goes first every run, and prints median and p90 in ms and the ratio
 * API/skopeo. Every run must succeed. Everything started is stopped at the end.
 *
 * With `--http` (after `npm run build`), it also starts the built app (`next start`, embedded
 * database, bootstrapped owner) and measures the same calls over HTTP with an API token: the
 * whole path a script takes, and `curl` POST /validate as a whole command beside `skopeo login`.
 * `--json FILE` also writes every sample.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { percentile } from "./lib";

// The service's configuration, before any app module reads it.
process.env.ENCRYPTION_KEYS ??= "bench:" + Buffer.alloc(32, 9).toString("base64");
process.env.AUTH_SECRET ??= "bench-auth-secret-that-is-long-enough-0123456789";
process.env.LOG_LEVEL ??= "silent";
process.env.OUTBOUND_ALLOW_CIDRS = "127.0.0.1/32";
// The benchmark runs far more tests than a person would; the limit is still checked on every run.
process.env.BERTH_TEST_RATE_LIMIT = "10000";

const HTTP = process.argv.includes("--http");
const RUNS = Number(process.argv[process.argv.indexOf("--runs") + 1] || 0) || 30;
const WARMUP = 3;
const BASIC_USER = { name: "bench-basic", password: "bench-Basic-Secret-4417" };
const TOKEN_USER = { name: "bench-token", password: "bench-Token-Secret-8830" };
const SERVICE = "berth-bench-registry";
const ISSUER = "berth-bench-issuer";

type Cleanup = () => Promise<void> | void;


function skopeoLogin(host: string, user: { name: string; password: string }, certDir: string, authFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("skopeo", ["login", "--authfile", authFile, "--cert-dir", certDir, "--username", user.name, "--password-stdin", host], {
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`skopeo login ${host} exited ${code}: ${stderr.trim()}`));
    });
    child.stdin.end(user.password);
  });
}

async function main() {
  const [{ useTestDb: openAppDb }, auth, reg, certs, tokens, routes] = await Promise.all([
    import("@/lib/testing/db"),
    import("@/lib/testing/auth"),
    import("@/lib/testing/registry"),
    import("@/lib/testing/registry-certs"),
    import("@/lib/testing/token-server"),
    Promise.all([
      import("@/app/api/v1/companies/[companyId]/registries/route"),
      import("@/app/api/v1/companies/[companyId]/registries/validate/route"),
      import("@/app/api/v1/companies/[companyId]/registries/[id]/test/route"),
    ]),
  ]);
  const [{ POST: create }, { POST: validate }, { POST: testSaved }] = routes;
  if (!reg.registryAvailable() || !reg.skopeoAvailable()) throw new Error("needs docker-registry, htpasswd and skopeo (apt-get install docker-registry apache2-utils skopeo)");

  const cleanups: Cleanup[] = [];
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), "berth-bench-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const ca = certs.createTestCa(dir);
    const caDir = mkdtempSync(path.join(dir, "skopeo-certs-"));
    writeFileSync(path.join(caDir, "ca.crt"), ca.certPem);
    const authFile = path.join(dir, "auth.json");

    const tokenServer = await tokens.startTokenServer({ service: SERVICE, issuer: ISSUER, users: { [TOKEN_USER.name]: TOKEN_USER.password }, tls: { ca } });
    cleanups.push(() => tokenServer.stop());
    const [basic, bearer] = await Promise.all([
      reg.startRegistry({ auth: { type: "htpasswd", users: { [BASIC_USER.name]: BASIC_USER.password } }, tls: { ca } }),
      reg.startRegistry({ auth: { type: "token", realm: tokenServer.realm, service: SERVICE, issuer: ISSUER, rootCertBundlePem: tokenServer.signerCertPem }, tls: { ca } }),
    ]);
    cleanups.push(() => basic.stop(), () => bearer.stop());

    const t = await openAppDb();
    cleanups.push(() => t.close());
    const { owner, company } = await auth.seedCompany(t.db, "bench");
    const cookie = await auth.sessionCookie(owner.id, t.db);
    const companyId = company.id;

    const bodies = {
      Basic: { name: "Basic", type: "custom", credentials: { url: basic.host, username: BASIC_USER.name, password: BASIC_USER.password, caCertificate: ca.certPem } },
      Bearer: { name: "Bearer", type: "custom", credentials: { url: bearer.host, username: TOKEN_USER.name, password: TOKEN_USER.password, caCertificate: ca.certPem } },
    };
    const targets = [
      { label: "Basic", host: basic.host, user: BASIC_USER, body: bodies.Basic, scheme: "basic" },
      { label: "Bearer", host: bearer.host, user: TOKEN_USER, body: bodies.Bearer, scheme: "bearer" },
    ] as const;

    const ids: Record<string, string> = {};
    for (const target of targets) {
      const res = await auth.call(create, auth.apiRequest("POST", `/api/v1/companies/${companyId}/registries`, { cookie }, target.body), { companyId });
      if (res.status !== 201) throw new Error(`create ${target.label}: ${res.status} ${await res.text()}`);
      ids[target.label] = ((await res.json()) as { id: string }).id;
    }

    // Over HTTP: the built app with its own embedded database, the same registries, an API token.
    let http: { url: string; token: string; companyId: string; ids: Record<string, string> } | undefined;
    if (HTTP) {
      const { startBerth } = await import("../e2e/support/server");
      const server = await startBerth({ BERTH_ADMIN_EMAIL: "bench@berth.test", BERTH_ADMIN_PASSWORD: "bench-password-1", BERTH_COMPANY_NAME: "bench", BERTH_TEST_RATE_LIMIT: "10000", LOG_LEVEL: "warn" });
      cleanups.push(() => server.stop());
      const jar: string[] = [];
      const grab = (res: Response) => jar.push(...res.headers.getSetCookie().map((c) => c.split(";")[0]!));
      const csrfRes = await fetch(`${server.url}/api/auth/csrf`);
      grab(csrfRes);
      const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
      const signIn = await fetch(`${server.url}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
        body: new URLSearchParams({ csrfToken, email: "bench@berth.test", password: "bench-password-1" }),
      });
      grab(signIn);
      const tokenRes = await fetch(`${server.url}/api/v1/companies/bench/tokens`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: jar.join("; "), origin: server.url },
        body: JSON.stringify({ name: "bench", scopes: ["registries:read", "registries:write"] }),
      });
      if (tokenRes.status !== 201) throw new Error(`token: ${tokenRes.status} ${await tokenRes.text()}`);
      const { token } = (await tokenRes.json()) as { token: string };
      const httpIds: Record<string, string> = {};
      for (const target of targets) {
        const res = await fetch(`${server.url}/api/v1/companies/bench/registries`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(target.body) });
        if (res.status !== 201) throw new Error(`http create ${target.label}: ${res.status} ${await res.text()}`);
        httpIds[target.label] = ((await res.json()) as { id: string }).id;
      }
      http = { url: server.url, token, companyId: "bench", ids: httpIds };
    }

    const expectSuccess = async (what: string, res: Response, scheme: string) => {
      const result = (await res.json()) as { status?: string; details?: { authScheme?: string } };
      if (res.status !== 200 || result.status !== "success" || result.details?.authScheme !== scheme) {
        throw new Error(`${what}: ${res.status} ${JSON.stringify(result)}`);
      }
    };
    const apiValidate = async (target: (typeof targets)[number]) => {
      const started = performance.now();
      const res = await auth.call(validate, auth.apiRequest("POST", `/api/v1/companies/${companyId}/registries/validate`, { cookie }, target.body), { companyId });
      await expectSuccess(`validate ${target.label}`, res, target.scheme);
      return performance.now() - started;
    };
    const apiTest = async (target: (typeof targets)[number]) => {
      const id = ids[target.label]!;
      const started = performance.now();
      const res = await auth.call(testSaved, auth.apiRequest("POST", `/api/v1/companies/${companyId}/registries/${id}/test`, { cookie }), { companyId, id });
      await expectSuccess(`test ${target.label}`, res, target.scheme);
      return performance.now() - started;
    };
    const skopeo = (target: (typeof targets)[number]) => skopeoLogin(target.host, target.user, caDir, authFile);
    const httpTest = async (target: (typeof targets)[number]) => {
      const started = performance.now();
      const res = await fetch(`${http!.url}/api/v1/companies/${http!.companyId}/registries/${http!.ids[target.label]}/test`, { method: "POST", headers: { authorization: `Bearer ${http!.token}` } });
      await expectSuccess(`http test ${target.label}`, res, target.scheme);
      return performance.now() - started;
    };

    // The whole command a script runs: `curl` spawned, POST /validate over HTTP with a token, exit.
    const curlValidate = (target: (typeof targets)[number]) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const child = spawn("curl", ["-sS", "-X", "POST", "-H", `Authorization: Bearer ${http!.token}`, "-H", "Content-Type: application/json", "--data-binary", "@-", `${http!.url}/api/v1/companies/${http!.companyId}/registries/validate`], {
          stdio: ["pipe", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (c: Buffer) => (out += c.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
          const ms = performance.now() - started;
          try {
            const result = JSON.parse(out) as { status?: string; details?: { authScheme?: string } };
            if (code === 0 && result.status === "success" && result.details?.authScheme === target.scheme) return resolve(ms);
          } catch {
            // reported below
          }
          reject(new Error(`curl validate ${target.label} exited ${code}: ${out}`));
        });
        child.stdin.end(JSON.stringify(target.body));
      });

    const rows: { label: string; validate: number[]; test: number[]; http: number[]; curl: number[]; skopeo: number[] }[] = [];
    for (const target of targets) {
      for (let i = 0; i < WARMUP; i++) {
        await apiValidate(target);
        await apiTest(target);
        if (http) await httpTest(target);
        if (http) await curlValidate(target);
        await skopeo(target);
      }
      const row = { label: target.label, validate: [] as number[], test: [] as number[], http: [] as number[], curl: [] as number[], skopeo: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        const api = async () => {
          row.test.push(await apiTest(target));
          row.validate.push(await apiValidate(target));
          if (http) row.http.push(await httpTest(target));
          if (http) row.curl.push(await curlValidate(target));
        };
        const cli = async () => {
          row.skopeo.push(await skopeo(target));
        };
        if (i % 2 === 0) {
          await api();
          await cli();
        } else {
          await cli();
          await api();
        }
      }
      rows.push(row);
    }

    const fmt = (n: number) => n.toFixed(1).padStart(7);
    const db = t.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : "PGlite (in memory)";
    console.log(`\nTest Connection latency, ${RUNS} alternating runs each (after ${WARMUP} warm-up), database: ${db}, node ${process.version}`);
    console.log("auth    what                            median      p90   ratio of medians to skopeo");
    for (const row of rows) {
      const skopeoMedian = percentile(row.skopeo, 0.5);
      for (const [what, values] of [
        ["API POST /{id}/test (saved)", row.test],
        ["API POST /validate", row.validate],
        ...(row.http.length > 0 ? ([["HTTP POST /{id}/test (token)", row.http]] as const) : []),
        ...(row.curl.length > 0 ? ([["curl POST /validate (command)", row.curl]] as const) : []),
        ["skopeo login", row.skopeo],
      ] as const) {
        const median = percentile(values, 0.5);
        const ratio = what === "skopeo login" ? "" : `${(median / skopeoMedian).toFixed(2)}×`;
        console.log(`${row.label.padEnd(8)}${what.padEnd(30)}${fmt(median)}  ${fmt(percentile(values, 0.9))}   ${ratio}`);
      }
    }
    console.log("(ms; the API is measured from the route handler call to the parsed JSON answer; HTTP from fetch to the parsed answer of `next start`; curl and skopeo from spawn to exit)");
    const jsonOut = process.argv.indexOf("--json");
    if (jsonOut >= 0 && process.argv[jsonOut + 1]) writeFileSync(process.argv[jsonOut + 1]!, JSON.stringify({ db, runs: RUNS, rows }, null, 2));
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.error("cleanup failed:", err);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
