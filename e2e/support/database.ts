import { randomBytes } from "node:crypto";
import postgres from "postgres";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * The PostgreSQL server for tests that need a database of their own: the one DATABASE_URL names
 * (CI always sets it), else the local default. Only a loopback server is accepted. The answer
 * points at the `postgres` maintenance database; callers create their own next to it.
 */
export function postgresServerUrl(): URL {
  const base = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
  if (!LOOPBACK_HOSTS.has(base.hostname) && !base.hostname.startsWith("127.")) {
    throw new Error(`tests only use a PostgreSQL on loopback, not ${base.hostname}`);
  }
  base.pathname = "/postgres";
  base.search = "";
  return base;
}

/** A fresh, empty database on {@link postgresServerUrl}'s server, and a way to drop it. */
export async function freshDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = postgresServerUrl();
  const name = `berth_${label}_${Date.now()}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(server.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
