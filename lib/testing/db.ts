import { randomBytes } from "node:crypto";
import { openDb, type Db } from "@/db";
import { migrateDatabase } from "@/db/migrate";

export interface TestDb {
  db: Db;
  kind: "postgres" | "pglite";
  /** The connection string of the fresh database (postgres only). */
  url?: string;
  close: () => Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a new database on the server named by
 * DATABASE_URL (a real PostgreSQL, as in CI), or an in-memory PGlite when it is unset.
 */
export async function createTestDb(): Promise<TestDb> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const handle = await openDb({ databaseUrl: "", dataDir: "memory://" });
    await migrateDatabase({ db: handle.db });
    return { db: handle.db, kind: "pglite", close: handle.close };
  }
  const { default: postgres } = await import("postgres");
  const name = `berth_t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const handle = await openDb({ databaseUrl: url });
  await migrateDatabase({ databaseUrl: url, db: handle.db });
  return {
    db: handle.db,
    kind: "postgres",
    url,
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * A fresh database that the app's own modules use (through getDb()) for the rest of this test
 * file: route handlers and services can then be called directly.
 */
export async function useTestDb(): Promise<TestDb> {
  const t = await createTestDb();
  const g = globalThis as unknown as { berthDb?: Promise<unknown> };
  g.berthDb = Promise.resolve({ db: t.db, kind: t.kind, close: async () => {} });
  return {
    ...t,
    close: async () => {
      g.berthDb = undefined;
      await t.close();
    },
  };
}
