/**
 * Crashes and faults (issue 16, suite 3), against the production build.
 *
 * - kill -9 during a stream of creates, then a restart on the same database (PostgreSQL) or the
 *   same data directory (embedded PGlite): every create that was answered 201 is there, its GET
 *   is 200 and its pull secret carries the password that was sent (the app decrypts it); on
 *   PostgreSQL the stored row also decrypts in the test process.
 * - PostgreSQL stopped (`pg_ctl stop -m immediate`) under load and started again, on a private
 *   cluster (initdb into a temporary directory, another port): requests made while it is down
 *   answer 503 problem+json within 5 s (none 401, 500, hung or dropped), for a token and for a
 *   session cookie; the server serves again by itself once the database is back.
 * - An embedded data directory that cannot be created: the server exits non-zero at start with
 *   a message that names the directory and says what to do.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, request as playwrightRequest, test } from "@playwright/test";
import postgres from "postgres";
import { freshDatabase } from "../support/database";
import { recordFigures, reliabilityMode } from "../support/figures";
import { customBody, openRow, ownerToken, percentile, sleep, startOn, testKeys, type StoredRow } from "../support/reliability";
import { freePort, type BerthServer } from "../support/server";
import { signInApi } from "../support/session";

const FULL = reliabilityMode() === "full";
/** A port nothing listens on: no request in this suite contacts a registry. */
const PORT = 9;

interface Acked {
  id: string;
  name: string;
  password: string;
}

/** Creates registries from `loops` parallel loops until `stop()` or the server stops answering. */
function createStream(server: BerthServer, companyId: string, token: string, loops: number) {
  const acked: Acked[] = [];
  let sent = 0;
  let failed = 0;
  const statuses = new Map<number, number>();
  let stopped = false;
  const base = `${server.url}/api/v1/companies/${companyId}/registries`;
  const tag = Math.random().toString(36).slice(2, 8); // names stay unique across rounds
  const loop = async (l: number) => {
    for (let i = 0; !stopped; i++) {
      const name = `crash-${tag}-${l}-${i}`;
      const password = `pw-${name}-${Math.random().toString(36).slice(2)}`;
      sent += 1;
      try {
        const res = await fetch(base, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify(customBody(name, PORT, password)),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { id?: string };
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201 && body.id) acked.push({ id: body.id, name, password });
        else failed += 1;
      } catch {
        failed += 1;
        return; // the server is gone
      }
    }
  };
  const done = Promise.all(Array.from({ length: loops }, (_, l) => loop(l)));
  return { acked, statuses, sent: () => sent, failed: () => failed, stop: () => ((stopped = true), done), done };
}

/** For each acknowledged create: GET is 200 with its name, and its pull secret carries its password. */
async function verifyAcked(server: BerthServer, companyId: string, token: string, acked: Acked[]): Promise<string[]> {
  const base = `${server.url}/api/v1/companies/${companyId}/registries`;
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < acked.length) {
      const a = acked[next++]!;
      const get = await fetch(`${base}/${a.id}`, { headers });
      const row = (await get.json()) as { name?: string };
      if (get.status !== 200 || row.name !== a.name) {
        problems.push(`${a.name}: GET ${get.status}`);
        continue;
      }
      const pull = await fetch(`${base}/pull-secret`, { method: "POST", headers, body: JSON.stringify({ registryIds: [a.id], format: "dockerconfigjson" }) });
      const answer = (await pull.json()) as { content?: { auths?: Record<string, { password?: string }> } };
      const password = Object.values(answer.content?.auths ?? {})[0]?.password;
      if (pull.status !== 200 || password !== a.password) problems.push(`${a.name}: pull secret ${pull.status}, ${password === undefined ? "no password" : "another password"}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return problems;
}

for (const backend of ["postgres", "pglite"] as const) {
  test(`kill -9 during creates on ${backend}: every acknowledged create survives the restart, decryptable`, async () => {
    // Full mode acknowledges thousands of creates, each checked by a GET and a pull secret.
    test.setTimeout(FULL ? 900_000 : 240_000);
    const db = backend === "postgres" ? await freshDatabase("crash") : undefined;
    const keys = backend === "postgres" ? testKeys() : undefined;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-crash-"));
    const sql = db ? postgres(db.url, { max: 2, onnotice: () => {} }) : undefined;
    let server: BerthServer | undefined;
    const killAfterMs = FULL ? 10_000 : 3_000;
    const rounds = FULL ? 3 : 1;
    const allAcked: Acked[] = [];
    let sent = 0;
    const answered = new Map<number, number>();
    try {
      server = await startOn(db?.url, keys, {}, { dataDir });
      const { companyId, token } = await ownerToken(server);
      for (let round = 0; round < rounds; round++) {
        const stream = createStream(server, companyId, token, 6);
        await sleep(killAfterMs);
        process.kill(server.pid, "SIGKILL");
        const exit = await server.exited;
        expect(exit.signal).toBe("SIGKILL");
        await stream.done;
        allAcked.push(...stream.acked.filter((a) => !allAcked.some((b) => b.id === a.id)));
        sent += stream.sent();
        for (const [st, n] of stream.statuses) answered.set(st, (answered.get(st) ?? 0) + n);
        server = await startOn(db?.url, keys, {}, { dataDir });
      }
      const problems = await verifyAcked(server, companyId, token, allAcked);
      let undecryptable = 0;
      if (sql) {
        const rows = await sql<StoredRow[]>`select id, company_id, name, is_deleted, secret_blob from registries where company_id = ${companyId}`;
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const a of allAcked) {
          const row = byId.get(a.id);
          try {
            if (!row || openRow(keys!.ENCRYPTION_KEYS, row).password !== a.password) undecryptable += 1;
          } catch {
            undecryptable += 1;
          }
        }
      }
      recordFigures({
        suite: "crashes",
        part: `kill9-${backend}`,
        title: `kill -9 during a stream of creates (6 loops), ${rounds} × after ${killAfterMs / 1000} s, restart on the same ${backend === "postgres" ? "database" : "data directory"} (${backend})`,
        passed: problems.length === 0 && undecryptable === 0,
        figures: { kills: rounds, "creates sent": sent, "creates acknowledged (201)": allAcked.length,
          "answered otherwise": [...answered].filter(([st]) => st !== 201).map(([st, n]) => `${st}×${n}`).join(" ") || "none",
          "unanswered (cut by the kill)": sent - [...answered.values()].reduce((a, b) => a + b, 0), "acknowledged creates lost or unreadable": problems.length, ...(sql ? { "rows not decryptable in the test process": undecryptable } : {}) },
        notes: problems.slice(0, 10),
      });
      expect(allAcked.length, "creates acknowledged before the kill").toBeGreaterThan(0);
      expect(problems, "acknowledged creates after the restart").toEqual([]);
      expect(undecryptable, "rows decryptable with the server's keys").toBe(0);
    } finally {
      await sql?.end();
      await server?.stop();
      await db?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

/** A private PostgreSQL cluster in a temporary directory (run as the postgres user when root). */
async function privateCluster() {
  const bin = fs.readdirSync("/usr/lib/postgresql").map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => fs.existsSync(`${d}/pg_ctl`));
  if (!bin) throw new Error("No PostgreSQL server binaries under /usr/lib/postgresql (initdb, pg_ctl)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-pgc-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync("chown", ["postgres:postgres", dir]);
  const argv = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ["runuser", ["-u", "postgres", "--", `${bin}/${cmd}`, ...args]] : [`${bin}/${cmd}`, args]);
  const run = (cmd: string, args: string[]) => execFileSync(...argv(cmd, args), { stdio: "pipe", timeout: 60_000 });
  // Asynchronous, so the request loops keep running (and timing) while pg_ctl works.
  const runAsync = async (cmd: string, args: string[]) => void (await promisify(execFile)(...argv(cmd, args), { timeout: 60_000 }));
  const port = await freePort();
  const data = path.join(dir, "data");
  run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync"]);
  const startArgs = ["-D", data, "-l", path.join(dir, "log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"];
  const stopArgs = ["-D", data, "-m", "immediate", "-w", "stop"];
  run("pg_ctl", startArgs);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => runAsync("pg_ctl", startArgs),
    stopImmediate: () => runAsync("pg_ctl", stopArgs),
    remove: () => {
      try {
        run("pg_ctl", stopArgs);
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Sample {
  what: string;
  startedAt: number;
  ms: number;
  status: number | "error";
  problemJson: boolean;
  error?: string;
}

test("PostgreSQL restarted under load: 503 problem+json within 5 s while it is down, recovery without a restart", async () => {
  test.setTimeout(240_000);
  const cluster = await privateCluster();
  let server: BerthServer | undefined;
  const samples: Sample[] = [];
  const outageMs = FULL ? 10_000 : 4_000;
  try {
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    await admin.unsafe("create database berth");
    await admin.end();
    const dbUrl = cluster.url.replace(/\/postgres$/, "/berth");
    server = await startOn(dbUrl, testKeys());
    const { companyId, token } = await ownerToken(server);
    const api = await playwrightRequest.newContext({ baseURL: server.url });
    await signInApi(api);
    const cookie = (await api.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    await api.dispose();
    const base = `${server.url}/api/v1/companies/${companyId}/registries`;
    const bearer = { Authorization: `Bearer ${token}` };
    const kinds: { what: string; url: string; init: () => RequestInit }[] = [
      { what: "list (token)", url: `${base}?limit=20`, init: () => ({ headers: bearer }) },
      { what: "me (token)", url: `${server.url}/api/v1/me`, init: () => ({ headers: bearer }) },
      { what: "list (session)", url: `${base}?limit=20`, init: () => ({ headers: { Cookie: cookie } }) },
      { what: "me (session)", url: `${server.url}/api/v1/me`, init: () => ({ headers: { Cookie: cookie } }) },
      {
        what: "create (token)",
        url: base,
        init: () => {
          const n = Math.random().toString(36).slice(2);
          return { method: "POST", headers: { ...bearer, "Content-Type": "application/json" }, body: JSON.stringify(customBody(`outage-${n}`, PORT, `pw-${n}`)) };
        },
      },
    ];
    let stopped = false;
    const loop = async (k: (typeof kinds)[number]) => {
      while (!stopped) {
        const startedAt = Date.now();
        try {
          const res = await fetch(k.url, { ...k.init(), signal: AbortSignal.timeout(15_000) });
          await res.arrayBuffer();
          samples.push({ what: k.what, startedAt, ms: Date.now() - startedAt, status: res.status, problemJson: (res.headers.get("content-type") ?? "").startsWith("application/problem+json") });
        } catch (err) {
          samples.push({ what: k.what, startedAt, ms: Date.now() - startedAt, status: "error", problemJson: false, error: String(err) });
        }
        await sleep(50);
      }
    };
    const loops = Promise.all(kinds.map(loop));
    await sleep(2000);
    const stopAt = Date.now();
    await cluster.stopImmediate();
    const downAt = Date.now(); // pg_ctl -w returned: the server is gone
    await sleep(outageMs);
    const upAt = Date.now();
    await cluster.start();
    // Recovery: every kind answers 2xx again, started after the database is back.
    let recoveredAt = 0;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await sleep(250);
      const ok = kinds.every((k) => samples.some((s) => s.what === k.what && s.startedAt > upAt && typeof s.status === "number" && s.status < 300));
      if (ok) {
        recoveredAt = Date.now();
        break;
      }
    }
    await sleep(1000);
    stopped = true;
    await loops;

    // Before: answered before the stop. In flight: at the stop (done before it took effect, or
    // failed by it). During: started while the database was down.
    const before = samples.filter((s) => s.startedAt + s.ms < stopAt);
    const inFlight = samples.filter((s) => s.startedAt + s.ms >= stopAt && s.startedAt < downAt);
    const during = samples.filter((s) => s.startedAt >= downAt && s.startedAt < upAt);
    const is503 = (s: Sample) => s.status === 503 && s.problemJson && s.ms < 5000;
    const is2xx = (s: Sample) => typeof s.status === "number" && s.status < 300 && s.ms < 5000;
    // A request still waiting when the database came back may succeed; any other answer is 503.
    const bad = [...inFlight.filter((s) => !is503(s) && !is2xx(s)), ...during.filter((s) => !is503(s) && !(is2xx(s) && s.startedAt + s.ms > upAt))];
    const badBefore = before.filter((s) => s.status === "error" || s.status >= 300);
    const statusOf = (list: Sample[]) => {
      const m = new Map<string, number>();
      for (const s of list) m.set(String(s.status), (m.get(String(s.status)) ?? 0) + 1);
      return [...m].map(([s, n]) => `${s}×${n}`).join(" ");
    };
    const ms = during.map((s) => s.ms).sort((a, b) => a - b);
    recordFigures({
      suite: "crashes",
      part: "postgres-restart",
      title: `PostgreSQL (private cluster) stopped with -m immediate for ${outageMs / 1000} s under 5 request loops (token and session), then started again`,
      passed: bad.length === 0 && badBefore.length === 0 && recoveredAt > 0 && during.length > 0,
      figures: {
        "requests before": before.length,
        "requests in flight at the stop": inFlight.length,
        "in flight: statuses": statusOf(inFlight),
        "requests during the outage": during.length,
        "during: statuses": statusOf(during),
        "in flight or during: not 503 problem+json (or 2xx) within 5 s": bad.length,
        "during: p50 ms": percentile(ms, 50),
        "during: max ms": ms.at(-1) ?? 0,
        "recovered s after start": recoveredAt ? Math.round((recoveredAt - upAt) / 100) / 10 : "no",
      },
      tables: [
        {
          title: "During the outage, by request",
          columns: ["request", "count", "statuses", "max ms"],
          rows: kinds.map((k) => {
            const of = during.filter((s) => s.what === k.what);
            return [k.what, of.length, statusOf(of), Math.max(0, ...of.map((s) => s.ms))];
          }),
        },
      ],
      notes: bad.slice(0, 8).map((s) => `${s.what}: ${s.status} after ${s.ms} ms${s.problemJson ? "" : " (not problem+json)"}${s.error ? ` ${s.error}` : ""}`),
    });
    expect(badBefore, "before the outage").toEqual([]);
    expect(during.length, "requests during the outage").toBeGreaterThan(0);
    expect(bad.map((s) => `${s.what}: ${s.status} after ${s.ms} ms${s.problemJson ? "" : " (not problem+json)"}`), "during the outage: 503 problem+json within 5 s").toEqual([]);
    expect(recoveredAt, "every request kind answered 2xx again after PostgreSQL came back").toBeGreaterThan(0);
  } finally {
    await server?.stop();
    cluster.remove();
  }
});

test("an embedded data directory that cannot be created: exit non-zero at start, naming it", async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "berth-unwritable-"));
  const file = path.join(parent, "a-file");
  fs.writeFileSync(file, "not a directory\n");
  const dataDir = path.join(file, "data"); // its parent is a regular file: not even root can create it
  try {
    let message = "";
    await startOn(undefined, undefined, {}, { dataDir }).then(
      async (s) => {
        await s.stop();
        message = "started";
      },
      (err: Error) => (message = err.message),
    );
    const exitCode = /Berth exited \((\S+)\)/.exec(message)?.[1];
    const clear = message.includes(dataDir) && /BERTH_DATA_DIR/.test(message);
    recordFigures({
      suite: "crashes",
      part: "unwritable-data-dir",
      title: "embedded PGlite on a data directory whose parent is a regular file",
      passed: exitCode !== undefined && exitCode !== "0" && clear,
      figures: { "exit code": exitCode ?? "none", "message names the directory and BERTH_DATA_DIR": clear ? "yes" : "no" },
      notes: [message.split("\n").filter((l) => l.includes("cannot start")).join(" ").slice(0, 400)],
    });
    expect(message).not.toBe("started");
    expect(exitCode, message).toBeDefined();
    expect(exitCode).not.toBe("0");
    expect(message, "the message names the directory").toContain(`Berth cannot start`);
    expect(message).toContain(dataDir);
    expect(message, "the message says how to fix it").toMatch(/BERTH_DATA_DIR/);
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
});
