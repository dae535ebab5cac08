/**
 * ECR Test Connection with a cold and a warm token cache, side by side in one run.
 *
 *   npx tsx --conditions=react-server bench/ecr.ts [--runs 30] [--json FILE] [--doc] [--sample FILE]
 *
 * Starts, on 127.0.0.1 only: a TLS htpasswd registry (user `AWS`), and the fake AWS ECR API of
 * the tests (`lib/testing/fake-ecr.ts`: it verifies each SigV4 signature, then answers with a
 * token for that registry) twice, answering at once and after 100 ms (a typical round trip to
 * an AWS region); a fresh database (PGlite in memory, or a new database on DATABASE_URL's
 * server) with a company, its owner and one saved ECR registry per fake. Then alternates, N
 * runs each, through the route handlers in this process (authentication, limits, decryption,
 * the engine, lastTest and audit):
 *   cold: the registry's cached token deleted, then POST …/registries/{id}/test (an exchange);
 *   warm: POST …/registries/{id}/test with the cached token (no AWS request);
 *   basic: POST …/{id}/test of the same registry saved as a custom Basic registry (the floor);
 * rotating which goes first. Prints median and p90 (ms). `--doc` rewrites the ECR section of
 * docs/benchmarks.md; `--sample` writes the first test's answer (cold cache) as the API returns
 * it; `npm run bench` runs this too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, median, renderEcr, writeEcrSection, type EcrResult, type EcrRow } from "./ecr-report";

process.env.ENCRYPTION_KEYS ??= "bench:" + Buffer.alloc(32, 9).toString("base64");
process.env.AUTH_SECRET ??= "bench-auth-secret-that-is-long-enough-0123456789";
process.env.LOG_LEVEL ??= "silent";
process.env.OUTBOUND_ALLOW_CIDRS = "127.0.0.1/32";
process.env.BERTH_TEST_RATE_LIMIT = "10000";

const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
const RUNS = Number(arg("runs") ?? 30);
const WARMUP = 3;
const KEY = { accessKeyId: "AKIAB3RTHBENCHKEY001", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBENCHKEY01" };
const PASSWORD = "bench-Ecr-Registry-Password-5512";
const DOC = path.join(__dirname, "..", "docs/benchmarks.md");
async function main() {
  const [{ useTestDb: openAppDb }, auth, reg, certs, fakeEcr, schema, drizzle, routes] = await Promise.all([
    import("@/lib/testing/db"),
    import("@/lib/testing/auth"),
    import("@/lib/testing/registry"),
    import("@/lib/testing/registry-certs"),
    import("@/lib/testing/fake-ecr"),
    import("@/db/schema"),
    import("drizzle-orm"),
    Promise.all([import("@/app/api/v1/companies/[companyId]/registries/route"), import("@/app/api/v1/companies/[companyId]/registries/[id]/test/route")]),
  ]);
  const { resetEnvCache } = await import("@/lib/env");
  const [{ POST: create }, { POST: testSaved }] = routes;
  if (!reg.registryAvailable()) throw new Error("needs docker-registry and htpasswd (apt-get install docker-registry apache2-utils)");
  const cleanups: (() => unknown)[] = [];
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), "berth-bench-ecr-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const ca = certs.createTestCa(dir);
    process.env.NODE_EXTRA_CA_CERTS = ca.certPath;
    const registry = await reg.startRegistry({ auth: { type: "htpasswd", users: { AWS: PASSWORD } }, tls: { ca } });
    cleanups.push(() => registry.stop());
    const fakes = await Promise.all(
      [0, 100].map((latencyMs) =>
        fakeEcr.startFakeEcr({ ca, keys: [{ ...KEY, account: "123456789012" }], region: "us-east-1", password: PASSWORD, latencyMs, proxyEndpoint: () => registry.url }),
      ),
    );
    for (const fake of fakes) cleanups.push(() => fake.stop());
    const t = await openAppDb();
    cleanups.push(() => t.close());
    const { owner, company } = await auth.seedCompany(t.db, "bench-ecr");
    const cookie = await auth.sessionCookie(owner.id, t.db);
    const companyId = company.id;
    const save = async (body: unknown) => {
      const res = await auth.call(create, auth.apiRequest("POST", `/api/v1/companies/${companyId}/registries`, { cookie }, body), { companyId });
      if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    };
    const basicId = await save({ name: "basic", type: "custom", credentials: { url: registry.host, username: "AWS", password: PASSWORD, caCertificate: ca.certPem } });
    const test = async (id: string, expectCached?: boolean) => {
      const started = performance.now();
      const res = await auth.call(testSaved, auth.apiRequest("POST", `/api/v1/companies/${companyId}/registries/${id}/test`, { cookie }), { companyId, id });
      const result = (await res.json()) as { status: string; stages: { name: string; ms: number }[]; details: { exchange?: { cached: boolean } } };
      const ms = performance.now() - started;
      if (res.status !== 200 || result.status !== "success") throw new Error(`test: ${res.status} ${JSON.stringify(result)}`);
      if (expectCached !== undefined && result.details.exchange?.cached !== expectCached) throw new Error(`expected cached=${expectCached}: ${JSON.stringify(result.details)}`);
      return { ms, awsAuthMs: result.stages.find((s) => s.name === "aws-auth")?.ms ?? 0 };
    };

    const rows: EcrRow[] = [];
    for (const [i, fake] of fakes.entries()) {
      process.env.AWS_ENDPOINT_URL_ECR = fake.url;
      resetEnvCache();
      const id = await save({ name: `ecr ${i}`, type: "ecr", credentials: { ...KEY, region: "us-east-1" } });
      const dropCache = () => t.db.delete(schema.registryTokens).where(drizzle.eq(schema.registryTokens.registryId, id));
      const row: EcrRow = { awsLatencyMs: [0, 100][i]!, cold: [], warm: [], basic: [], awsAuthColdMs: [] };
      const sides = [
        async (keep: boolean) => {
          await dropCache();
          const r = await test(id, false);
          if (keep) {
            row.cold.push(r.ms);
            row.awsAuthColdMs.push(r.awsAuthMs);
          }
        },
        async (keep: boolean) => {
          const r = await test(id, true);
          if (keep) row.warm.push(r.ms);
        },
        async (keep: boolean) => {
          const r = await test(basicId);
          if (keep) row.basic.push(r.ms);
        },
      ];
      const first = await auth.call(testSaved, auth.apiRequest("POST", `/api/v1/companies/${companyId}/registries/${id}/test`, { cookie }), { companyId, id });
      const sample = arg("sample"); // the first exchange learns the registry's URL; its answer, as the API returns it
      if (sample && i === 0) writeFileSync(sample, JSON.stringify(await first.json(), null, 2));
      for (let run = 0; run < WARMUP + RUNS; run += 1) {
        for (let k = 0; k < sides.length; k += 1) await sides[(run + k) % sides.length]!(run >= WARMUP);
      }
      rows.push(row);
      console.log(`AWS after ${row.awsLatencyMs} ms: cold ${fmt(median(row.cold))} ms, warm ${fmt(median(row.warm))} ms, basic ${fmt(median(row.basic))} ms (medians of ${RUNS})`);
    }
    const result: EcrResult = { db: t.kind === "postgres" ? "PostgreSQL" : "PGlite", runs: RUNS, rows };
    const json = arg("json");
    if (json) writeFileSync(json, JSON.stringify(result, null, 2));
    console.log(renderEcr(result));
    if (argv.includes("--doc")) {
      writeFileSync(DOC, writeEcrSection(existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Benchmarks\n", renderEcr(result)));
      console.log(`updated ${path.relative(process.cwd(), DOC)}`);
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
