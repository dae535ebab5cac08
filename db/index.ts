import "server-only";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { randomUUID } from "node:crypto";
import path from "node:path";
import * as schema from "./schema";
import { env } from "@/lib/env";
import { dataDir, lockDataDir } from "./data-dir";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DbKind = "postgres" | "pglite";

interface DbHandle {
  db: Db;
  kind: DbKind;
  /** Closes the client; postgres.js waits up to `timeoutMs` for running queries, then ends them. */
  close: (options?: { timeoutMs?: number }) => Promise<void>;
  /** postgres.js: the pool's limit and its `application_name`, unique to this client (metrics read pg_stat_activity by it). */
  pool?: { max: number; applicationName: string };
}

/** Seconds to wait for a connection to PostgreSQL, and the longest pause between reconnection attempts. */
const CONNECT_TIMEOUT_S = 3;
const MAX_BACKOFF_S = 1;

/** postgres.js when DATABASE_URL is set, embedded PGlite (loaded only then) otherwise. */
export async function openDb(options: { databaseUrl?: string; dataDir?: string; poolMax?: number } = {}): Promise<DbHandle> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const max = options.poolMax ?? env().BERTH_DB_POOL_MAX;
    const applicationName = `berth/${process.pid}/${randomUUID().slice(0, 8)}`;
    const client = postgres(url, {
      max,
      onnotice: () => {},
      connection: { application_name: applicationName },
      // While the database is down, a request fails fast (503) instead of waiting: postgres.js
      // holds a query until its connection's next attempt, 30 s to connect by default and a
      // retry backoff growing to 20 s, which also delayed recovery by as much once it was back.
      connect_timeout: CONNECT_TIMEOUT_S,
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, MAX_BACKOFF_S) * (0.5 + Math.random() / 2),
    });
    return {
      db: drizzle(client, { schema }) as unknown as Db,
      kind: "postgres",
      close: (o = {}) => client.end(o.timeoutMs === undefined ? {} : { timeout: Math.max(0.001, o.timeoutMs / 1000) }),
      pool: { max, applicationName },
    };
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

/** Closes the process-wide client (CLI, tests, graceful shutdown). */
export async function closeDb(options: { timeoutMs?: number } = {}): Promise<void> {
  const handle = globalForDb.berthDb;
  globalForDb.berthDb = undefined;
  if (handle) await (await handle).close(options);
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
