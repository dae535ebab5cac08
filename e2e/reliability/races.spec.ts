/**
 * Races (issue 16, suite 2), against the production build: on PostgreSQL (a fresh database of
 * the local server, where requests really run in parallel) and on the embedded PGlite default
 * (which serialises queries in one process: the same outcomes must hold).
 *
 * - 50 parallel creates of one URL: exactly one 201, 49 409 (the URL is taken).
 * - 50 parallel PATCHes with the same `If-Match`: exactly one 200, 49 412; the winner is visible.
 * - Rounds of a delete, updates (PATCH name + password, no If-Match) and pull secrets on one
 *   registry, all at once: no 5xx, and a consistent end. Deleted (204): GET 404, pull-secret
 *   404, and on PostgreSQL the row is marked deleted with its ciphertext wiped. Not deleted (the
 *   delete sent a stale If-Match: 412): GET shows the last acknowledged update (its name, and
 *   the latest `updatedAt` of the 200 answers) and a pull secret carries that update's password.
 */
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { freshDatabase } from "../support/database";
import { recordFigures, reliabilityMode } from "../support/figures";
import { customBody, openRow, ownerToken, startOn, testKeys, type StoredRow } from "../support/reliability";
import type { BerthServer } from "../support/server";

const FULL = reliabilityMode() === "full";
const PARALLEL = 50;
const ROUNDS = FULL ? 20 : 6;
const UPDATES_PER_ROUND = 8;
const PULLS_PER_ROUND = 8;
/** A port nothing listens on: no request in this suite contacts the registry. */
const PORT = 9;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  etag: string | null;
}

for (const backend of ["postgres", "pglite"] as const) {
  test(`races on ${backend}: parallel creates, If-Match PATCHes, delete + update + pull secret`, async () => {
    test.setTimeout(240_000);
    const db = backend === "postgres" ? await freshDatabase("races") : undefined;
    const keys = testKeys();
    const sql = db ? postgres(db.url, { max: 2, onnotice: () => {} }) : undefined;
    let server: BerthServer | undefined;
    const all5xx: string[] = [];
    try {
      server = await startOn(db?.url, db ? keys : undefined);
      const { companyId, token } = await ownerToken(server);
      const base = `${server.url}/api/v1/companies/${companyId}/registries`;
      const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
      const call = async (what: string, method: string, url: string, body?: unknown, extra: Record<string, string> = {}): Promise<Answer> => {
        const res = await fetch(url, { method, headers: { ...headers, ...extra }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        if (res.status >= 500) all5xx.push(`${what}: ${res.status} ${text.slice(0, 200)}`);
        return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, etag: res.headers.get("etag") };
      };
      const tally = (answers: Answer[]) => {
        const m: Record<string, number> = {};
        for (const a of answers) m[a.status] = (m[a.status] ?? 0) + 1;
        return m;
      };

      // 1. Parallel creates of one URL.
      const creates = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => call("create", "POST", base, customBody(`same-url-${i}`, PORT, `pw-${i}`, "same"))));
      const createTally = tally(creates);

      // 2. Parallel PATCHes with one If-Match.
      const target = await call("create", "POST", base, customBody("patched", PORT, "pw-patched"));
      expect(target.status).toBe(201);
      const targetId = target.body.id as string;
      const current = await call("get", "GET", `${base}/${targetId}`);
      expect(current.etag).toBeTruthy();
      const patches = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => call("patch", "PATCH", `${base}/${targetId}`, { name: `patched-${i}` }, { "If-Match": current.etag! })));
      const patchTally = tally(patches);
      const patchWinner = patches.find((p) => p.status === 200);
      const afterPatch = await call("get", "GET", `${base}/${targetId}`);

      // 3. Delete + updates + pull secrets on one registry, all at once.
      let inconsistent: string[] = [];
      const rounds = { deleted: 0, kept: 0 };
      const roundStatuses: Record<string, Record<string, number>> = { delete: {}, update: {}, pull: {} };
      const add = (kind: string, answers: Answer[]) => {
        for (const [s, n] of Object.entries(tally(answers))) roundStatuses[kind]![s] = (roundStatuses[kind]![s] ?? 0) + n;
      };
      for (let round = 0; round < ROUNDS; round++) {
        const realDelete = round % 2 === 0;
        const made = await call("create", "POST", base, customBody(`round-${round}`, PORT, `pw-round-${round}-0`));
        expect(made.status, JSON.stringify(made.body)).toBe(201);
        const id = made.body.id as string;
        const url = `${base}/${id}`;
        const deleting = call("delete", "DELETE", `${url}?force=true`, undefined, realDelete ? {} : { "If-Match": '"stale"' });
        const updating = Array.from({ length: UPDATES_PER_ROUND }, (_, i) =>
          call("update", "PATCH", url, { name: `round-${round}-u${i}`, credentials: { password: `pw-round-${round}-u${i}` } }),
        );
        const pulling = Array.from({ length: PULLS_PER_ROUND }, () => call("pull", "POST", `${base}/pull-secret`, { registryIds: [id], format: "dockerconfigjson" }));
        const [del, ...rest] = await Promise.all([deleting, ...updating, ...pulling]);
        const updates = rest.slice(0, UPDATES_PER_ROUND);
        const pulls = rest.slice(UPDATES_PER_ROUND);
        add("delete", [del!]);
        add("update", updates);
        add("pull", pulls);
        const bad = (what: string) => inconsistent.push(`round ${round}: ${what}`);
        for (const u of updates) if (![200, 404].includes(u.status)) bad(`update answered ${u.status}`);
        for (const p of pulls) if (![200, 404].includes(p.status)) bad(`pull answered ${p.status}`);
        const get = await call("get", "GET", url);
        const pullAfter = await call("pull", "POST", `${base}/pull-secret`, { registryIds: [id], format: "dockerconfigjson" });
        const row = sql ? (await sql<StoredRow[]>`select id, company_id, name, is_deleted, secret_blob from registries where id = ${id}`)[0] : undefined;
        if (realDelete) {
          if (del!.status !== 204) bad(`delete answered ${del!.status}`);
          rounds.deleted += 1;
          if (get.status !== 404) bad(`GET after delete answered ${get.status}`);
          if (pullAfter.status !== 404) bad(`pull secret after delete answered ${pullAfter.status}`);
          if (sql && !(row?.is_deleted === true && row.secret_blob === null)) bad(`row after delete: deleted=${row?.is_deleted}, ciphertext ${row?.secret_blob ? "kept" : "wiped"}`);
        } else {
          if (del!.status !== 412) bad(`delete with a stale If-Match answered ${del!.status}`);
          rounds.kept += 1;
          const acked = updates.filter((u) => u.status === 200);
          if (acked.length !== UPDATES_PER_ROUND) bad(`${acked.length} of ${UPDATES_PER_ROUND} updates acknowledged`);
          // The visible state is one acknowledged answer (same ETag), and none acknowledged later.
          const last = acked.find((u) => u.etag === get.etag);
          const lastName = last?.body.name as string;
          if (get.status !== 200 || !last) bad(`GET (${get.status}, ETag ${get.etag}) matches no acknowledged update`);
          else if (get.body.name !== lastName) bad(`GET shows ${String(get.body.name)}, its update answered ${lastName}`);
          else if (acked.some((u) => String(u.body.updatedAt) > String(last.body.updatedAt))) bad("an update acknowledged later is not the one visible");
          const wantPassword = `pw-${lastName}`;
          const auths = (pullAfter.body.content as { auths?: Record<string, { password?: string }> } | undefined)?.auths ?? {};
          const got = Object.values(auths)[0]?.password;
          if (got !== wantPassword) bad(`the pull secret carries ${got === undefined ? "no password" : "another password"} than the last update's`);
          if (sql && row && openRow(keys.ENCRYPTION_KEYS, row).password !== wantPassword) bad("the stored ciphertext is not the last update's password");
        }
      }

      const createOk = createTally["201"] === 1 && createTally["409"] === PARALLEL - 1;
      const patchOk = patchTally["200"] === 1 && patchTally["412"] === PARALLEL - 1 && afterPatch.body.name === patchWinner?.body.name;
      const passed = all5xx.length === 0 && createOk && patchOk && inconsistent.length === 0;
      const fmt = (m: Record<string, number>) => Object.entries(m).map(([s, n]) => `${s}×${n}`).join(" ");
      recordFigures({
        suite: "races",
        part: backend,
        title: `${PARALLEL} parallel creates of one URL, ${PARALLEL} PATCHes with one If-Match, ${ROUNDS} rounds of delete + ${UPDATES_PER_ROUND} updates + ${PULLS_PER_ROUND} pull secrets (${backend})`,
        passed,
        figures: {
          "creates: statuses": fmt(createTally),
          "PATCHes: statuses": fmt(patchTally),
          rounds: ROUNDS,
          "rounds deleted": rounds.deleted,
          "rounds kept (stale If-Match delete)": rounds.kept,
          "round deletes: statuses": fmt(roundStatuses.delete!),
          "round updates: statuses": fmt(roundStatuses.update!),
          "round pulls: statuses": fmt(roundStatuses.pull!),
          "5xx": all5xx.length,
          "inconsistent ends": inconsistent.length,
        },
        notes: [...all5xx.slice(0, 5), ...inconsistent.slice(0, 10)],
      });
      inconsistent = inconsistent.slice(0, 20);
      expect(all5xx, "responses ≥ 500").toEqual([]);
      expect(createTally, "parallel creates of one URL").toEqual({ "201": 1, "409": PARALLEL - 1 });
      expect(patchTally, "parallel PATCHes with one If-Match").toEqual({ "200": 1, "412": PARALLEL - 1 });
      expect(afterPatch.body.name, "the winning PATCH is visible").toBe(patchWinner?.body.name);
      expect(inconsistent, "delete + update + pull secret rounds").toEqual([]);
    } finally {
      await sql?.end();
      await server?.stop();
      await db?.drop();
    }
  });
}
