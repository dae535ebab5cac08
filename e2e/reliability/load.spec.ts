/**
 * Load (issue 16, suite 1): the production build on a fresh database of the local PostgreSQL and
 * a real local docker-registry (htpasswd) behind Test Connection, under a mixed workload from
 * autocannon: one instance per operation, run in parallel (list, get, create, update by PUT,
 * create-then-delete, validate against the registry, pull secrets).
 *
 * Full (BERTH_RELIABILITY=full): 200 connections for 60 s. Short (npm test): the same 200
 * connections for 10 s.
 *
 * Pass: no response ≥ 500, no connection error or timeout, and afterwards the rows equal the
 * seeded ones plus acknowledged creates (201) minus acknowledged deletes (204): every created id
 * is in the database (live unless its delete was acknowledged), every live row decrypts with the
 * server's keys to the password that was sent, every deleted row has its ciphertext wiped.
 * 429s are counted apart (the limits are raised to their ceilings for the run).
 */
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import autocannon from "autocannon";
import postgres from "postgres";
import { startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { freshDatabase } from "../support/database";
import { recordFigures, reliabilityMode } from "../support/figures";
import { customBody, openRow, ownerToken, startOn, testKeys, type StoredRow } from "../support/reliability";
import type { BerthServer } from "../support/server";

const FULL = reliabilityMode() === "full";
const DURATION_S = FULL ? 60 : 10;
const STABLE = 20;

/**
 * Connections per operation: 200 in all, in both modes. Validate gets 5, the per-company limit
 * of connection tests running at once (MAX_CONCURRENT_TESTS_PER_COMPANY): more would only add 429s.
 */
const SHARE = { list: 55, get: 35, create: 25, update: 25, createDelete: 30, validate: 5, pull: 25 } as const;
type Op = keyof typeof SHARE;
const CONNECTIONS = Object.values(SHARE).reduce((a, b) => a + b, 0);

interface OpCounts {
  statuses: Map<number, number>;
}

test(`load: mixed workload, ${CONNECTIONS} connections for ${DURATION_S} s, on PostgreSQL`, async () => {
  test.setTimeout((DURATION_S + 240) * 1000);
  const db = await freshDatabase("load");
  const keys = testKeys();
  let registry: RunningRegistry | undefined;
  let server: BerthServer | undefined;
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    registry = await startRegistry({ auth: { type: "htpasswd", users: { loader: "load-password-1" } } });
    server = await startOn(db.url, keys);
    const { companyId, token } = await ownerToken(server);
    const base = `/api/v1/companies/${companyId}/registries`;
    const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const regPort = registry.port;

    // Stable rows that get, update and pull work on (never deleted).
    const stable: string[] = [];
    for (let i = 0; i < STABLE; i++) {
      const res = await fetch(server.url + base, { method: "POST", headers: auth, body: JSON.stringify(customBody(`stable-${i}`, regPort, `stable-pw-${i}`)) });
      expect(res.status, await res.clone().text()).toBe(201);
      stable.push(((await res.json()) as { id: string }).id);
    }

    // What the server acknowledged, by id, from the answers themselves.
    const passwords = new Map<string, string>(); // name → password sent
    const created = new Map<string, string>(); // id → name (201)
    const deleted = new Set<string>(); // id (204)
    // Sent but unanswered when autocannon stopped at the end of the duration (it does not wait
    // for them): the server may still commit those, so they are told apart from lost writes.
    const createsInFlight = new Set<string>(); // name
    const deletesInFlight = new Set<string>(); // id
    let seq = 0;
    const nextCreate = (context: Record<string, unknown>) => {
      const n = ++seq;
      const name = `load-${n}`;
      const password = `pw-${n}-${randomBytes(6).toString("hex")}`;
      passwords.set(name, password);
      createsInFlight.add(name);
      context.creating = name;
      return JSON.stringify(customBody(name, regPort, password));
    };
    const noteCreate = (status: number, body: string, context: Record<string, unknown>) => {
      createsInFlight.delete(context.creating as string);
      if (status !== 201) return;
      const row = JSON.parse(body) as { id: string; name: string };
      created.set(row.id, row.name);
      context.id = row.id;
    };
    const pick = () => stable[Math.floor(Math.random() * stable.length)]!;

    const counts: Record<Op, OpCounts> = Object.fromEntries(Object.keys(SHARE).map((k) => [k, { statuses: new Map() }])) as Record<Op, OpCounts>;
    const count = (op: Op) => (status: number) => counts[op].statuses.set(status, (counts[op].statuses.get(status) ?? 0) + 1);
    const validateBody = JSON.stringify({ name: "probe", type: "custom", credentials: { url: registry.url, username: "loader", password: "load-password-1" } });
    let updates = 0;

    const common = { url: server.url, duration: DURATION_S, timeout: 10, headers: auth };
    const requests: Record<Op, autocannon.Request[]> = {
      list: [{ method: "GET", path: `${base}?limit=50`, onResponse: count("list") }],
      get: [{ method: "GET", setupRequest: (r) => ({ ...r, path: `${base}/${pick()}` }), onResponse: count("get") }],
      create: [
        {
          method: "POST",
          path: base,
          setupRequest: (r, context) => ({ ...r, body: nextCreate(context as Record<string, unknown>) }),
          onResponse: (status, body, context) => {
            count("create")(status);
            noteCreate(status, body, context as Record<string, unknown>);
          },
        },
      ],
      update: [
        {
          method: "PUT",
          setupRequest: (r) => {
            const i = Math.floor(Math.random() * STABLE);
            return { ...r, path: `${base}/${stable[i]}`, body: JSON.stringify({ name: `stable-${i}`, type: "custom", isActive: true, credentials: { url: `http://127.0.0.1:${regPort}/stable-${i}`, username: `robot-${++updates}` } }) };
          },
          onResponse: count("update"),
        },
      ],
      createDelete: [
        {
          method: "POST",
          path: base,
          setupRequest: (r, context) => ({ ...r, body: nextCreate(context as Record<string, unknown>) }),
          onResponse: (status, body, context) => {
            count("createDelete")(status);
            noteCreate(status, body, context as Record<string, unknown>);
          },
        },
        {
          method: "DELETE",
          setupRequest: (r, context) => {
            const id = (context as { id?: string }).id ?? "00000000-0000-4000-8000-000000000000";
            (context as { deleting?: string }).deleting = id;
            deletesInFlight.add(id);
            delete (context as { id?: string }).id;
            return { ...r, path: `${base}/${id}?force=true`, body: undefined };
          },
          onResponse: (status, _body, context) => {
            count("createDelete")(status);
            deletesInFlight.delete((context as { deleting: string }).deleting);
            if (status === 204) deleted.add((context as { deleting: string }).deleting);
          },
        },
      ],
      validate: [{ method: "POST", path: `${base}/validate`, body: validateBody, onResponse: count("validate") }],
      pull: [
        {
          method: "POST",
          path: `${base}/pull-secret`,
          setupRequest: (r) => ({ ...r, body: JSON.stringify({ registryIds: [pick()], format: "dockerconfigjson" }) }),
          onResponse: count("pull"),
        },
      ],
    };

    const started = Date.now();
    const results = await Promise.all(
      (Object.keys(SHARE) as Op[]).map(async (op) => [op, await autocannon({ ...common, connections: SHARE[op], requests: requests[op] })] as const),
    );
    const wallS = (Date.now() - started) / 1000;

    // The database afterwards.
    const rows = await sql<StoredRow[]>`select id, company_id, name, is_deleted, secret_blob from registries where company_id = ${companyId}`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const live = rows.filter((r) => !r.is_deleted);
    const missing = [...created.keys()].filter((id) => !byId.has(id));
    const deletedButLive = [...deleted].filter((id) => byId.get(id)?.is_deleted === false);
    const createdNotLive = [...created.keys()].filter((id) => !deleted.has(id) && !deletesInFlight.has(id) && byId.get(id)?.is_deleted !== false);
    let undecryptable = 0;
    let wrongSecret = 0;
    for (const row of live) {
      try {
        const secrets = openRow(keys.ENCRYPTION_KEYS, row);
        const sent = passwords.get(row.name);
        if (sent !== undefined && secrets.password !== sent) wrongSecret += 1;
      } catch {
        undecryptable += 1;
      }
    }
    const unwiped = rows.filter((r) => r.is_deleted && r.secret_blob !== null).length;
    // Rows whose 201 was never seen, and rows whose delete was in flight at the stop.
    const unanswered = live.filter((r) => r.name.startsWith("load-") && !created.has(r.id));
    const extra = unanswered.filter((r) => !createsInFlight.has(r.name)).length;
    const committedInFlight = unanswered.length - extra;
    const deletedInFlight = [...deletesInFlight].filter((id) => byId.get(id)?.is_deleted === true).length;
    const expectedLive = STABLE + created.size - deleted.size + committedInFlight - deletedInFlight;

    // Figures.
    const all = new Map<number, number>();
    for (const c of Object.values(counts)) for (const [s, n] of c.statuses) all.set(s, (all.get(s) ?? 0) + n);
    const byClass = (lo: number, hi: number) => [...all].filter(([s]) => s >= lo && s < hi).reduce((a, [, n]) => a + n, 0);
    const errors = results.reduce((a, [, r]) => a + r.errors, 0);
    const timeouts = results.reduce((a, [, r]) => a + r.timeouts, 0);
    const total = results.reduce((a, [, r]) => a + r.requests.total, 0);
    const n429 = all.get(429) ?? 0;
    const n5xx = byClass(500, 600);
    const lostWrites = missing.length + deletedButLive.length + createdNotLive.length + undecryptable + wrongSecret;
    const passed = n5xx === 0 && errors === 0 && timeouts === 0 && lostWrites === 0 && live.length === expectedLive && unwiped === 0 && extra === 0;
    const statusList = (m: Map<number, number>) => [...m].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(" ");
    const file = recordFigures({
      suite: "load",
      part: "postgres",
      title: `mixed workload, ${CONNECTIONS} connections for ${DURATION_S} s, PostgreSQL, autocannon`,
      passed,
      figures: {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        requests: total,
        "throughput req/s": Math.round(total / wallS),
        "2xx": byClass(200, 300),
        "4xx (excl. 429)": byClass(400, 500) - n429,
        "429": n429,
        "5xx": n5xx,
        "connection errors": errors,
        timeouts,
        "p50 ms (worst op)": Math.max(...results.map(([, r]) => r.latency.p50)),
        "p99 ms (worst op)": Math.max(...results.map(([, r]) => r.latency.p99)),
        "acknowledged creates": created.size,
        "acknowledged deletes": deleted.size,
        "in flight at stop (creates, deletes)": `${createsInFlight.size}, ${deletesInFlight.size}`,
        "in flight at stop and committed (creates, deletes)": `${committedInFlight}, ${deletedInFlight}`,
        "rows expected": expectedLive,
        "rows live": live.length,
        "lost writes": lostWrites,
        undecryptable,
        "deleted rows with ciphertext": unwiped,
      },
      tables: [
        {
          title: "Per operation (autocannon; createDelete is a POST then a DELETE on one connection)",
          columns: ["operation", "connections", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "timeouts", "statuses"],
          rows: results.map(([op, r]) => [op, SHARE[op], r.requests.total, Math.round(r.requests.average), r.latency.p50, r.latency.p99, r.latency.max, r.errors, r.timeouts, statusList(counts[op].statuses)]),
        },
      ],
      notes: [
        "Rate limits raised to their ceilings for the run (BERTH_TEST_RATE_LIMIT=10000, BERTH_PULL_RATE_LIMIT=100000 per minute); 429s are counted apart.",
        "Load generator and server share the same 2-core machine.",
        `${missing.length} created ids missing, ${deletedButLive.length} deleted ids still live, ${createdNotLive.length} created ids not live without an acknowledged delete, ${wrongSecret} rows decrypting to another password, ${extra} rows without a seen 201.`,
      ],
    });
    console.log(`load figures: ${file}`);
    for (const [op, r] of results) console.log(`${op}: ${r.requests.total} requests, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${statusList(counts[op].statuses)}, errors ${r.errors}, timeouts ${r.timeouts}`);

    expect(n5xx, "responses ≥ 500").toBe(0);
    expect({ errors, timeouts }, "connection errors and timeouts").toEqual({ errors: 0, timeouts: 0 });
    expect({ missing: missing.length, deletedButLive: deletedButLive.length, createdNotLive: createdNotLive.length, undecryptable, wrongSecret, unwiped, extra }).toEqual({
      missing: 0,
      deletedButLive: 0,
      createdNotLive: 0,
      undecryptable: 0,
      wrongSecret: 0,
      unwiped: 0,
      extra: 0,
    });
    expect(live.length, "rows = seeded + acknowledged creates − acknowledged deletes (± requests in flight at the stop)").toBe(expectedLive);
    expect(created.size, "creates acknowledged").toBeGreaterThan(0);
    expect(deleted.size, "deletes acknowledged").toBeGreaterThan(0);
  } finally {
    await sql.end();
    await server?.stop();
    await registry?.stop();
    await db.drop();
  }
});
