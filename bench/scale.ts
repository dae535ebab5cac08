/**
 * Scale curve (PostgreSQL): list (first page, and page 50 through the cursor) and get latency as
 * the table grows to 100, 10 000, 100 000 and 1 000 000 rows (the last spread over 10 companies,
 * 100 000 in the measured one), with EXPLAIN (ANALYZE, BUFFERS) of the statements the app sends.
 *
 *   npx tsx --conditions=react-server bench/scale.ts [--seconds 3] [--rounds 3] [--no-build] [--out FILE]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BENCH_DIST, ROOT, build, createBenchDb, fmt, log, median, prepareServer, seedRegistries, seedToken, sqlRows, withAppDb, wrk } from "./lib";
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

export async function runScale(opts: { seconds: number; rounds: number; buildFirst: boolean }): Promise<ScaleStep[]> {
  if (opts.buildFirst) build("bench");
  const bdb = await createBenchDb("postgres");
  const { default: postgres } = await import("postgres");
  const pg = postgres(bdb.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  let server: Awaited<ReturnType<typeof prepareServer>>["server"] | undefined;
  try {
    const prepared = await prepareServer(bdb, BENCH_DIST, async (db) => {
      const s = await seedToken(db);
      await seedRegistries(db, s.companyId, s.userId, 100);
      return s;
    });
    server = prepared.server;
    const { seeded } = prepared;
    const auth = { Authorization: `Bearer ${seeded.token}` };
    const base = `/api/v1/companies/${seeded.companyId}/registries`;
    const steps: ScaleStep[] = [];
    const plan = [
      { companyRows: 100, otherRows: 0 },
      { companyRows: 10_000, otherRows: 0 },
      { companyRows: 100_000, otherRows: 0 },
      { companyRows: 100_000, otherRows: 900_000 },
    ];
    let have = 100;
    let others = 0;
    for (const p of plan) {
      if (p.companyRows > have) {
        log(`scale: growing the company to ${p.companyRows} rows`);
        await withAppDb(bdb, (db) => seedRegistries(db, seeded.companyId, seeded.userId, p.companyRows - have, have + 1));
        have = p.companyRows;
      }
      if (p.otherRows > others) {
        log(`scale: adding ${p.otherRows} rows in 9 other companies`);
        await withAppDb(bdb, async (db) => {
          for (let c = 1; c <= 9; c++) {
            const [co] = await sqlRows<{ id: string }>(db, `insert into companies (slug, name) values ('other-${c}', 'Other ${c}') returning id`);
            await seedRegistries(db, co!.id, seeded.userId, p.otherRows / 9);
          }
        });
        others = p.otherRows;
      }
      await pg.unsafe("vacuum analyze registries");
      // The cursor of page 50 (49 pages of 50 before it), when the company has that many rows.
      let token: string | null = null;
      for (let page = 1; page < 50; page++) {
        const body = (await (await fetch(`${server.url}${base}?limit=50${token ? `&pagination.token=${token}` : ""}`, { headers: auth })).json()) as { nextPageToken: string | null };
        token = body.nextPageToken;
        if (!token) break;
      }
      const [one] = await pg.unsafe<{ id: string }[]>(`select id from registries where company_id = '${seeded.companyId}' order by created_at desc limit 1 offset ${Math.floor(have / 2)}`);
      const paths = {
        firstPage: `${base}?limit=50`,
        deepPage: token ? `${base}?limit=50&pagination.token=${token}` : `${base}?limit=50`,
        get: `${base}/${one!.id}`,
      };
      const step: ScaleStep = { totalRows: have + others, companyRows: have, firstPageMs: [], deepPageMs: [], getMs: [], plans: { firstPage: "", deepPage: "" } };
      for (let r = 0; r < opts.rounds; r++) {
        const order = (["firstPage", "deepPage", "get"] as const).map((_, i, a) => a[(i + r) % 3]!);
        for (const k of order) {
          const w = wrk(server.url + paths[k], { connections: 1, seconds: opts.seconds, headers: auth });
          if (w.non2xx || w.errors) throw new Error(`${k}: ${w.non2xx} non-2xx, ${w.errors} errors`);
          step[k === "firstPage" ? "firstPageMs" : k === "deepPage" ? "deepPageMs" : "getMs"].push(w.p50);
        }
      }
      // The app's own statements for the two list requests, explained with their parameters.
      const [first, deep] = await captureRequestStatements({ databaseUrl: bdb.env.DATABASE_URL!, distDir: BENCH_DIST, paths: [paths.firstPage, paths.deepPage], headers: auth });
      const explain = async (statements: { text: string; params: (string | null)[] }[]) => {
        const s = statements.find((x) => /from "registries"/.test(x.text));
        if (!s) return "(no registries statement captured)";
        const rows = await pg.unsafe<{ "QUERY PLAN": string }[]>(`explain (analyze, buffers) ${s.text}`, s.params as string[]);
        return rows.map((x) => x["QUERY PLAN"]).join("\n");
      };
      step.plans = { firstPage: await explain(first!), deepPage: await explain(deep!) };
      steps.push(step);
      log(`  ${step.totalRows} rows: first page ${fmt(median(step.firstPageMs), 2)} ms, page 50 ${fmt(median(step.deepPageMs), 2)} ms, get ${fmt(median(step.getMs), 2)} ms (p50)`);
    }
    return steps;
  } finally {
    await server?.stop();
    await pg.end();
    await bdb.drop();
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
