import "server-only";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import path from "node:path";
import * as schema from "./schema";
import { dataDir, lockDataDir } from "./data-dir";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DbKind = "postgres" | "pglite";

interface DbHandle {
  db: Db;
  kind: DbKind;
  close: () => Promise<void>;
}

/** postgres.js when DATABASE_URL is set, embedded PGlite (loaded only then) otherwise. */
export async function openDb(options: { databaseUrl?: string; dataDir?: string } = {}): Promise<DbHandle> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(url, { max: 10, onnotice: () => {} });
    return { db: drizzle(client, { schema }) as unknown as Db, kind: "postgres", close: () => client.end() };
  }
  if (process.env.NEXT_PHASE === "phase-production-build") {
    throw new Error("The database is not opened during `next build`");
  }
  const dir = options.dataDir ?? dataDir();
  const { PGlite } = await import("@electric-sql/pglite");
  let client;
  if (dir === "memory://") {
    client = await PGlite.create(); // tests: a throw-away in-memory database
  } else {
    lockDataDir(dir);
    client = await PGlite.create(path.join(dir, "pglite"));
  }
  const { drizzle } = await import("drizzle-orm/pglite");
  return { db: drizzle(client, { schema }) as unknown as Db, kind: "pglite", close: () => client.close() };
}

const globalForDb = globalThis as unknown as { berthDb?: Promise<DbHandle> };

/** The process-wide client, reused across dev reloads. */
export function dbHandle(): Promise<DbHandle> {
  globalForDb.berthDb ??= openDb().catch((err) => {
    globalForDb.berthDb = undefined;
    throw err;
  });
  return globalForDb.berthDb;
}

export async function getDb(): Promise<Db> {
  return (await dbHandle()).db;
}

/** Closes the process-wide client (CLI and tests). */
export async function closeDb(): Promise<void> {
  const handle = globalForDb.berthDb;
  globalForDb.berthDb = undefined;
  if (handle) await (await handle).close();
}

/**
 * A prepared statement built once per database client (the process-wide one, or a test's):
 * the SQL is generated once, and postgres.js keeps it prepared on each connection, so a request
 * sends Bind/Execute only, in one round trip, instead of Parse/Describe, a wait, then Bind/Execute.
 */
export function preparedPerDb<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let statement = cache.get(db);
    if (statement === undefined) {
      statement = build(db);
      cache.set(db, statement);
    }
    return statement;
  };
}

/** Rows of a `db.execute` result, whichever driver produced it. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export { schema };
