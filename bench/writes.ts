/**
 * Writes: create (`POST …/registries`, a new name and secret per request) and update (`PATCH
 * …/registries/{id}` with a new password, over 200 registries) throughput, encryption, audit row
 * and transaction included, alternating with the constant-JSON reference route; then where their
 * time goes: the server runs under `node --cpu-prof` and the profile is summarised (top 10
 * functions by self time).
 *
 *   npx tsx --conditions=react-server bench/writes.ts [--db postgres|pglite] [--seconds 3] [--rounds 3] [--no-build]
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BENCH_DIST, ROOT, alternate, build, createBenchDb, fmt, log, median, prepareServer, seedToken, type DbKind, type WrkResult } from "./lib";
import { summariseProfile } from "./cpu-profile.mjs";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};

export interface WritesResult {
  db: DbKind;
  connections: number;
  create: WrkResult[];
  update: WrkResult[];
  constant: WrkResult[];
  profile: { sampledMs: number; idlePct: number; top: { pct: number; name: string; where: string }[] };
}

const CREATE_LUA = `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time() * 1000003 + math.floor(os.clock() * 1000000))
local run = os.time() .. "-" .. math.random(1, 1000000000)
local threads = 0
local n = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", run .. "-" .. threads)
end
request = function()
  n = n + 1
  local id = tid .. "-" .. n
  return wrk.format(nil, nil, nil, '{"name":"write-' .. id .. '","url":"w-' .. id .. '.example.com","username":"bench","password":"secret-' .. id .. '"}')
end
`;

function updateLua(base: string, ids: string[]) {
  return `
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
local ids = { ${ids.map((i) => `"${i}"`).join(", ")} }
local n = 0
function setup(thread) thread:set("off", math.random(0, #ids - 1)) end
request = function()
  n = n + 1
  local id = ids[((n + off) % #ids) + 1]
  return wrk.format(nil, "${base}/" .. id, nil, '{"credentials":{"password":"rotated-' .. n .. '"}}')
end
`;
}

export async function runWrites(opts: { db: DbKind; seconds: number; rounds: number; buildFirst: boolean }): Promise<WritesResult> {
  if (opts.buildFirst) build("bench");
  const bdb = await createBenchDb(opts.db);
  const profDir = mkdtempSync(path.join(os.tmpdir(), "berth-prof-"));
  const scripts = mkdtempSync(path.join(os.tmpdir(), "berth-wrk-"));
  let server: Awaited<ReturnType<typeof prepareServer>>["server"] | undefined;
  try {
    const prepared = await prepareServer(bdb, BENCH_DIST, seedToken, { nodeArgs: ["--cpu-prof", "--cpu-prof-dir", profDir] });
    server = prepared.server;
    const { seeded } = prepared;
    const auth = { Authorization: `Bearer ${seeded.token}` };
    const base = `/api/v1/companies/${seeded.companyId}/registries`;
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await fetch(server.url + base, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ name: `update-${i}`, url: `u-${i}.example.com`, username: "bench", password: `secret-${i}` }),
      });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const createScript = path.join(scripts, "create.lua");
    const updateScript = path.join(scripts, "update.lua");
    writeFileSync(createScript, CREATE_LUA);
    writeFileSync(updateScript, updateLua(base, ids));
    const connections = 8;
    log(`${opts.db}: writes at ${connections} connections`);
    const r = alternate(
      {
        create: { url: server.url + base, headers: auth, script: createScript },
        update: { url: server.url + base, headers: auth, script: updateScript },
        constant: { url: `${server.url}/api/bench/constant`, headers: auth },
      },
      { connections, seconds: opts.seconds, rounds: opts.rounds, warmupSeconds: 1 },
    );
    log(`  create ${fmt(median(r.create.map((x) => x.rps)), 0)} req/s, update ${fmt(median(r.update.map((x) => x.rps)), 0)} req/s, constant ${fmt(median(r.constant.map((x) => x.rps)), 0)} req/s`);
    await server.stop();
    const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error("the server wrote no CPU profile");
    const { total, idle, rows } = summariseProfile(path.join(profDir, file)) as { total: number; idle: number; rows: { name: string; where: string; self: number }[] };
    const top = rows
      .filter((x) => x.name !== "(idle)" && x.name !== "(program)")
      .sort((a, b) => b.self - a.self)
      .slice(0, 10)
      .map((x) => ({ pct: (100 * x.self) / total, name: x.name, where: x.where }));
    return { db: opts.db, connections, ...r, profile: { sampledMs: total / 1000, idlePct: (100 * idle) / total, top } };
  } finally {
    await server?.stop();
    await bdb.drop();
    rmSync(profDir, { recursive: true, force: true });
    rmSync(scripts, { recursive: true, force: true });
  }
}

async function main() {
  const r = await runWrites({ db: arg("db", "postgres") as DbKind, seconds: Number(arg("seconds", "3")), rounds: Number(arg("rounds", "3")), buildFirst: !argv.includes("--no-build") });
  const out = arg("out", path.join(ROOT, "bench/out/writes.json"));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(r, null, 2));
  for (const t of r.profile.top) console.log(`${fmt(t.pct)} %  ${t.name}  ${t.where}`);
}

if (process.argv[1] && /bench\/writes\.ts$/.test(process.argv[1])) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
