/**
 * Scale curve (PostgreSQL): list (first page, and page 50 through the cursor) and get latency
 * with 100, 10 000, 100 000 and 1 000 000 rows in the table (the last spread over 10 companies,
 * 100 000 in the measured one), one database and server per size measured side by side, with
 * EXPLAIN (ANALYZE, BUFFERS) of the statements the app sends.
 *
 *   npx tsx --conditions=react-server bench/scale.ts [--seconds 3] [--rounds 3] [--no-build] [--out FILE]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BENCH_DIST, ROOT, build, createBenchDb, fmt, log, median, prepareServer, seedRegistries, seedToken, sqlRows, wrk } from "./lib";
import { captureRequestStatements } from "./pg-capture";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};

export interface ScaleStep {
  totalRows: number;
  companyRows: number;
  firstPageMs: number[];
  deepPageMs: number[];
  getMs: number[];
  plans: { firstPage: string; deepPage: string };
}

/**
 * One database per size, each with its own server on the same build, so the sizes are measured
 * side by side: every round runs each request against every size, rotating the order.
 */
export async function runScale(opts: { seconds: number; rounds: number; buildFirst: boolean }): Promise<ScaleStep[]> {
  if (opts.buildFirst) build("bench");
  const sizes = [
    { companyRows: 100, otherRows: 0 },
    { companyRows: 10_000, otherRows: 0 },
    { companyRows: 100_000, otherRows: 0 },
    { companyRows: 100_000, otherRows: 900_000 },
  ];
  const { default: postgres } = await import("postgres");
  const envs: {
    size: (typeof sizes)[number];
    bdb: Awaited<ReturnType<typeof createBenchDb>>;
    server?: Awaited<ReturnType<typeof prepareServer>>["server"];
    paths?: { firstPage: string; deepPage: string; get: string };
    auth?: Record<string, string>;
  }[] = [];
  try {
    for (const size of sizes) {
      const bdb = await createBenchDb("postgres");
      const env: (typeof envs)[number] = { size, bdb };
      envs.push(env);
      log(`scale: a database with ${size.companyRows + size.otherRows} rows (${size.companyRows} in the measured company)`);
      const prepared = await prepareServer(bdb, BENCH_DIST, async (db) => {
        const s = await seedToken(db);
        await seedRegistries(db, s.companyId, s.userId, size.companyRows);
        for (let c = 1; c <= 9 && size.otherRows > 0; c++) {
          const [co] = await sqlRows<{ id: string }>(db, `insert into companies (slug, name) values ('other-${c}', 'Other ${c}') returning id`);
          await seedRegistries(db, co!.id, s.userId, size.otherRows / 9);
        }
        await sqlRows(db, "vacuum analyze registries");
        return s;
      });
      env.server = prepared.server;
      const { seeded } = prepared;
      env.auth = { Authorization: `Bearer ${seeded.token}` };
      const base = `/api/v1/companies/${seeded.companyId}/registries`;
      // The cursor of page 50 (49 pages of 50 before it), when the company has that many rows.
      let token: string | null = null;
      for (let page = 1; page < 50; page++) {
        const body = (await (await fetch(`${env.server.url}${base}?limit=50${token ? `&pagination.token=${token}` : ""}`, { headers: env.auth })).json()) as { nextPageToken: string | null };
        token = body.nextPageToken;
        if (!token) break;
      }
      const pg = postgres(bdb.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      const [one] = await pg.unsafe<{ id: string }[]>(`select id from registries where company_id = '${seeded.companyId}' order by created_at desc limit 1 offset ${Math.floor(size.companyRows / 2)}`);
      await pg.end();
      env.paths = {
        firstPage: `${base}?limit=50`,
        deepPage: token ? `${base}?limit=50&pagination.token=${token}` : `${base}?limit=50`,
        get: `${base}/${one!.id}`,
      };
    }
    const steps: ScaleStep[] = envs.map((e) => ({ totalRows: e.size.companyRows + e.size.otherRows, companyRows: e.size.companyRows, firstPageMs: [], deepPageMs: [], getMs: [], plans: { firstPage: "", deepPage: "" } }));
    const kinds = ["firstPage", "deepPage", "get"] as const;
    for (const e of envs) for (const k of kinds) wrk(e.server!.url + e.paths![k], { connections: 1, seconds: 1, headers: e.auth }); // warm-up
    for (let r = 0; r < opts.rounds; r++) {
      log(`scale: round ${r + 1} of ${opts.rounds}`);
      for (const k of kinds) {
        for (let i = 0; i < envs.length; i++) {
          const j = (i + r) % envs.length;
          const e = envs[j]!;
          const w = wrk(e.server!.url + e.paths![k], { connections: 1, seconds: opts.seconds, headers: e.auth });
          if (w.non2xx || w.errors) throw new Error(`${k}: ${w.non2xx} non-2xx, ${w.errors} errors`);
          steps[j]![k === "firstPage" ? "firstPageMs" : k === "deepPage" ? "deepPageMs" : "getMs"].push(w.p50);
        }
      }
    }
    // The app's own statements for the two list requests, explained with their parameters.
    for (let i = 0; i < envs.length; i++) {
      const e = envs[i]!;
      await e.server!.stop();
      const [first, deep] = await captureRequestStatements({ databaseUrl: e.bdb.env.DATABASE_URL!, distDir: BENCH_DIST, paths: [e.paths!.firstPage, e.paths!.deepPage], headers: e.auth! });
      const pg = postgres(e.bdb.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      const explain = async (statements: { text: string; params: (string | null)[] }[]) => {
        const st = statements.find((x) => /from "registries"/.test(x.text));
        if (!st) return "(no registries statement captured)";
        const rows = await pg.unsafe<{ "QUERY PLAN": string }[]>(`explain (analyze, buffers) ${st.text}`, st.params as string[]);
        return rows.map((x) => x["QUERY PLAN"]).join("\n");
      };
      steps[i]!.plans = { firstPage: await explain(first!), deepPage: await explain(deep!) };
      await pg.end();
      const st = steps[i]!;
      log(`  ${st.totalRows} rows: first page ${fmt(median(st.firstPageMs), 2)} ms, page 50 ${fmt(median(st.deepPageMs), 2)} ms, get ${fmt(median(st.getMs), 2)} ms (p50)`);
    }
    return steps;
  } finally {
    for (const e of envs) {
      await e.server?.stop();
      await e.bdb.drop();
    }
  }
}

async function main() {
  const steps = await runScale({ seconds: Number(arg("seconds", "3")), rounds: Number(arg("rounds", "3")), buildFirst: !argv.includes("--no-build") });
  const out = arg("out", path.join(ROOT, "bench/out/scale.json"));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(steps, null, 2));
  for (const s of steps) console.log(`${s.totalRows}\t${fmt(median(s.firstPageMs), 2)}\t${fmt(median(s.deepPageMs), 2)}\t${fmt(median(s.getMs), 2)}`);
  console.log(steps.at(-1)!.plans.firstPage);
  console.log(steps.at(-1)!.plans.deepPage);
}

if (process.argv[1] && /bench\/scale\.ts$/.test(process.argv[1])) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
