import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, rowsOf } from "@/db";
import { appliedMigrationCount, expectedMigrationCount, migrateDatabase } from "@/db/migrate";
import { companies, registries } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { createTestDb, type TestDb } from "@/lib/testing/db";

let t: TestDb;
let companyId: string;
beforeAll(async () => {
  t = await createTestDb();
  const [c] = await t.db.insert(companies).values({ slug: "acme", name: "acme" }).returning();
  companyId = c!.id;
});
afterAll(async () => {
  await t?.close();
});

function uniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code === "23505" || e.cause?.code === "23505";
}

async function insert(values: Partial<typeof registries.$inferInsert>) {
  return t.db
    .insert(registries)
    .values({ companyId, type: "custom", name: "x", url: "x.example.test", ...values })
    .returning();
}

describe("migrations", () => {
  it("applies every migration and records them", async () => {
    expect(await appliedMigrationCount(t.db)).toBe(expectedMigrationCount());
    expect(expectedMigrationCount()).toBeGreaterThan(0);
  });

  it("is idempotent: a second run applies nothing", async () => {
    expect((await migrateDatabase({ databaseUrl: t.url, db: t.db })).applied).toBe(0);
  });

  // Only PostgreSQL has several instances (PGlite is one process, guarded by the data-dir lock).
  const postgresOnly = process.env.DATABASE_URL ? it : () => undefined;
  postgresOnly("lets several instances migrate one fresh PostgreSQL at once", async () => {
    const fresh = await createFreshPostgres();
    try {
      const handles = await Promise.all([1, 2, 3].map(() => openDb({ databaseUrl: fresh.url })));
      const results = await Promise.all(handles.map((h) => migrateDatabase({ databaseUrl: fresh.url, db: h.db })));
      expect(results.reduce((n, r) => n + r.applied, 0)).toBe(expectedMigrationCount());
      expect(await appliedMigrationCount(handles[0]!.db)).toBe(expectedMigrationCount());
      await Promise.all(handles.map((h) => h.close()));
    } finally {
      await fresh.drop();
    }
  });
});

// PGlite is one connection in the process: only PostgreSQL has a pool.
(process.env.DATABASE_URL ? describe : () => undefined)("the PostgreSQL pool", () => {
  it("opens at most BERTH_DB_POOL_MAX connections", async () => {
    const before = process.env.BERTH_DB_POOL_MAX;
    process.env.BERTH_DB_POOL_MAX = "3";
    resetEnvCache();
    const h = await openDb({ databaseUrl: t.url });
    try {
      expect(h.pool?.max).toBe(3);
      const name = h.pool!.applicationName;
      let most = 0;
      const watch = setInterval(() => {
        void t.db
          .execute(sql`select count(*)::int as n from pg_stat_activity where application_name = ${name}`)
          .then((r) => (most = Math.max(most, Number(rowsOf<{ n: number }>(r)[0]?.n ?? 0))));
      }, 20);
      await Promise.all(Array.from({ length: 9 }, () => h.db.execute(sql`select pg_sleep(0.15)`)));
      clearInterval(watch);
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(3);
    } finally {
      await h.close();
      if (before === undefined) delete process.env.BERTH_DB_POOL_MAX;
      else process.env.BERTH_DB_POOL_MAX = before;
      resetEnvCache();
    }
  });
});

async function createFreshPostgres() {
  const { default: postgres } = await import("postgres");
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  const name = `berth_m_${Date.now().toString(36)}`;
  await admin.unsafe(`create database ${name}`);
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

describe("registries constraints", () => {
  it("keeps names unique per company, case-insensitively, among non-deleted rows", async () => {
    await insert({ name: "Prod", url: "a.example.test" });
    await expect(insert({ name: "prod", url: "b.example.test" })).rejects.toSatisfy(uniqueViolation);
    await t.db.update(registries).set({ isDeleted: true }).where(eq(registries.name, "Prod"));
    await expect(insert({ name: "PROD", url: "c.example.test" })).resolves.toHaveLength(1);
  });

  it("keeps urls unique per company except for public entries", async () => {
    await insert({ name: "u1", url: "ghcr.io/org-a" });
    await expect(insert({ name: "u2", url: "ghcr.io/org-a" })).rejects.toSatisfy(uniqueViolation);
    await expect(insert({ name: "u3", url: "ghcr.io/org-b" })).resolves.toHaveLength(1);
    await insert({ name: "p1", url: "docker.io", type: "public" });
    await expect(insert({ name: "p2", url: "docker.io", type: "public" })).resolves.toHaveLength(1);
  });

  it("scopes uniqueness to the company", async () => {
    const [other] = await t.db.insert(companies).values({ slug: "other", name: "other" }).returning();
    await expect(
      t.db.insert(registries).values({ companyId: other!.id, type: "custom", name: "u1", url: "ghcr.io/org-a" }).returning(),
    ).resolves.toHaveLength(1);
  });

  it("stores timestamps with time zone and defaults version to 1", async () => {
    const [row] = await insert({ name: "ts", url: "ts.example.test" });
    expect(row!.version).toBe(1);
    expect(row!.createdAt).toBeInstanceOf(Date);
    const cols = rowsOf<{ data_type: string }>(
      await t.db.execute(
        sql`select data_type from information_schema.columns where table_name = 'registries' and column_name = 'created_at'`,
      ),
    );
    expect(cols[0]?.data_type).toBe("timestamp with time zone");
  });
});
