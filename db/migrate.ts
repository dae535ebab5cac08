import "server-only";
import path from "node:path";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { dbHandle, rowsOf, type Db } from "./index";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");
/** Arbitrary constant: the advisory lock every instance takes while migrating. */
const MIGRATION_LOCK_ID = 4_242_001;

/**
 * Applies pending migrations. On PostgreSQL a dedicated one-connection client holds an advisory
 * lock for the whole run, so several instances starting at once apply each migration once.
 */
export async function migrateDatabase(target?: { databaseUrl?: string; db: Db }): Promise<{ applied: number }> {
  const url = target ? target.databaseUrl : process.env.DATABASE_URL;
  if (url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    const client = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
      try {
        const locked = drizzle(client) as unknown as Db;
        const before = await appliedMigrationCount(locked);
        await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
        return { applied: (await appliedMigrationCount(locked)) - before };
      } finally {
        await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
      }
    } finally {
      await client.end();
    }
  }
  const db = target?.db ?? (await dbHandle()).db;
  const before = await appliedMigrationCount(db);
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  // PGlite is single-process (guarded by the data-dir lock), so no advisory lock is needed.
  await migrate(db as unknown as Parameters<typeof migrate>[0], { migrationsFolder: MIGRATIONS_FOLDER });
  return { applied: (await appliedMigrationCount(db)) - before };
}

export function expectedMigrationCount(): number {
  return readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;
}

/** How many migrations the database records as applied (0 before the first run). */
export async function appliedMigrationCount(db?: Db): Promise<number> {
  const d = db ?? (await dbHandle()).db;
  const exists = rowsOf<{ t: string | null }>(
    await d.execute(sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`),
  );
  if (!exists[0]?.t) return 0;
  const rows = rowsOf<{ n: number | string }>(
    await d.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
  );
  return Number(rows[0]?.n ?? 0);
}
