/**
 * Keyset pagination of the registry list (SPEC section 5): 1 000 rows walked 100 at a time while
 * other rows are inserted and updated, with no duplicate and no gap among the rows that existed
 * before the walk; ties on created_at and sub-millisecond differences included.
 */
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registries } from "@/db/schema";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { createRecorder, expectFieldErrors, type Auth } from "./registries.testkit";

let t: TestDb;
let team: Team;
let other: Team;
let company: string;
let token: Auth;
const rec = createRecorder();
const v1 = rec.api("v1");
const seed = rec.api("seed");

const ROWS = 1000;
const BASE = "2026-01-01T00:00:00Z";

/**
 * Inserts rows `from..to` of a company in one multi-row statement. created_at: groups of three
 * share a millisecond; the third of each group is one microsecond later (so a cursor that kept
 * only milliseconds would skip or repeat rows), the first two tie exactly (the id breaks the tie).
 */
async function insertRange(companyId: string, createdBy: string, from: number, to: number, label = "row") {
  await t.db.execute(sql`
    insert into registries (company_id, type, name, url, credentials, created_by, modified_by, created_at, updated_at)
    select ${companyId}::uuid,
           case when g % 4 = 0 then 'harbor' else 'custom' end,
           ${label} || '-' || lpad(g::text, 4, '0'),
           ${label} || '-' || g || '.example.com',
           jsonb_build_object('url', ${label} || '-' || g || '.example.com', 'username', 'u'),
           ${createdBy}::uuid, ${createdBy}::uuid,
           ${BASE}::timestamptz + (g / 3) * interval '1 millisecond' + (case when g % 3 = 2 then interval '1 microsecond' else interval '0' end),
           now()
    from generate_series(${from}::int, ${to}::int) as g`);
}

beforeAll(async () => {
  t = await useTestDb();
  team = await seedTeam(t.db);
  other = await seedTeam(t.db);
  company = team.company.id;
  token = { token: (await tokenFor(t.db, company, team.owner.id)).token };
  for (let from = 1; from <= ROWS; from += 250) await insertRange(company, team.owner.id, from, from + 249);
  // another company's rows, on the same timestamps, never appear
  await insertRange(other.company.id, other.owner.id, 1, 300);
  // soft-deleted rows in the range never appear either
  await insertRange(company, team.owner.id, 1, 30, "deleted");
  await t.db.update(registries).set({ isDeleted: true }).where(sql`${registries.name} like 'deleted-%'`);
});
afterAll(async () => {
  await t?.close();
});

type Item = { id: string; name: string; createdAt: string; companyIdRef: string };

async function preciseCreatedAt(): Promise<Map<string, string>> {
  const rows = await t.db
    .select({ id: registries.id, at: sql<string>`to_char(${registries.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')` })
    .from(registries)
    .where(eq(registries.companyId, company));
  return new Map(rows.map((r) => [r.id, r.at]));
}

describe("pagination", () => {
  it("walks 1 000 rows with limit 100 while rows are inserted and updated: no duplicate, no gap, newest first", async () => {
    const before = await t.db.select({ id: registries.id }).from(registries).where(and(eq(registries.companyId, company), eq(registries.isDeleted, false)));
    expect(before).toHaveLength(ROWS);
    const existing = new Set(before.map((r) => r.id));

    const seen: Item[] = [];
    let pageToken: string | null = null;
    let pages = 0;
    let extra = 0;
    do {
      const query: string = `limit=100${pageToken ? `&pagination.token=${encodeURIComponent(pageToken)}` : ""}`;
      // Meanwhile: a new registry through the API (newest of all), a row backdated into the middle
      // of the range, and an update of an old row, all racing with the page read.
      const n = extra++;
      const [page] = await Promise.all([
        v1.list(token, company, query),
        v1.create(token, company, { name: `during walk ${n}`, type: "custom", credentials: { url: `during-${n}.example.com`, token: `during-walk-token-${n}` } }),
        insertRange(company, team.owner.id, 5000 + n * 300, 5000 + n * 300, "backdated"),
        t.db.update(registries).set({ name: sql`${registries.name} || '!'`, updatedAt: new Date() }).where(eq(registries.name, `row-${String(ROWS - 150 - n * 97).padStart(4, "0")}`)),
      ]);
      expect(page.status, page.text).toBe(200);
      expect(page.body.limit).toBe(100);
      expect(page.body.items.length).toBeLessThanOrEqual(100);
      for (const item of page.body.items as Item[]) {
        expect(item.companyIdRef).toBe(company);
        expect(item.name).not.toMatch(/^deleted-/);
      }
      seen.push(...page.body.items);
      pageToken = page.body.nextPageToken;
      if (pageToken) {
        expect(page.body.items).toHaveLength(100);
        // opaque: no id or timestamp in clear
        expect(pageToken).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(pageToken).not.toContain(page.body.items[99].id);
      }
      pages++;
      expect(pages).toBeLessThan(30);
    } while (pageToken);

    const ids = seen.map((i) => i.id);
    expect(new Set(ids).size, "no duplicate").toBe(ids.length);
    const missing = [...existing].filter((id) => !ids.includes(id));
    expect(missing, "no gap").toEqual([]);
    expect(pages).toBeGreaterThanOrEqual(10);

    // newest first, at full (microsecond) precision, ties broken by id descending
    const at = await preciseCreatedAt();
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      const [ta, tb] = [at.get(a.id)!, at.get(b.id)!];
      expect(ta > tb || (ta === tb && a.id > b.id), `${a.name} (${ta}) before ${b.name} (${tb})`).toBe(true);
    }
    // Rows created by the API during the walk are newer than every row behind the cursor: only the
    // first page (read while the first of them was being created) may show one.
    expect(seen.slice(100).filter((i) => i.name.startsWith("during walk"))).toHaveLength(0);
  });

  it("walks a filtered list with an odd page size, on the seed path too", async () => {
    const expected = (await t.db.select({ id: registries.id }).from(registries).where(and(eq(registries.companyId, company), eq(registries.isDeleted, false), eq(registries.type, "harbor")))).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(250);
    for (const api of [v1, seed]) {
      const seen: string[] = [];
      let pageToken: string | null = null;
      do {
        const page = await api.list(token, company, `filter.type=harbor&limit=33${pageToken ? `&pagination.token=${encodeURIComponent(pageToken)}` : ""}`);
        expect(page.status, page.text).toBe(200);
        expect(page.body.limit).toBe(33);
        seen.push(...page.body.items.map((i: { id: string; type: string }) => (expect(i.type).toBe("harbor"), i.id)));
        pageToken = page.body.nextPageToken;
      } while (pageToken);
      expect(seen).toHaveLength(expected.length);
      expect(new Set(seen)).toEqual(new Set(expected));
    }
  });

  it("the last page has nextPageToken null; a page exactly filled has no empty page after it", async () => {
    const s = await seedTeam(t.db);
    const tok = { token: (await tokenFor(t.db, s.company.id, s.owner.id)).token };
    await insertRange(s.company.id, s.owner.id, 1, 10);
    const p = await v1.list(tok, s.company.id, "limit=10");
    expect(p.body.items).toHaveLength(10);
    expect(p.body.nextPageToken).toBeNull();
    const q = await v1.list(tok, s.company.id, "limit=4");
    const r = await v1.list(tok, s.company.id, `limit=4&pagination.token=${q.body.nextPageToken}`);
    const u = await v1.list(tok, s.company.id, `limit=4&pagination.token=${r.body.nextPageToken}`);
    expect([q.body.items.length, r.body.items.length, u.body.items.length]).toEqual([4, 4, 2]);
    expect(u.body.nextPageToken).toBeNull();
    // an empty company: an empty page
    const e = await seedTeam(t.db);
    const empty = await v1.list({ cookie: e.users.viewer.cookie }, e.company.id);
    expect(empty.body).toEqual({ items: [], limit: 100, nextPageToken: null });
    // a token is only a position: one from another company's walk reveals nothing of it
    const foreign = await v1.list(tok, s.company.id, `limit=4&pagination.token=${(await v1.list(token, company, "limit=1")).body.nextPageToken}`);
    expect(foreign.status).toBe(200);
    for (const i of foreign.body.items) expect(i.companyIdRef).toBe(s.company.id);
    expectFieldErrors(await v1.list(tok, s.company.id, "pagination.token=%7B%7D"), ["pagination.token"]);
  });
});
