/**
 * Shared pieces of the load, races and crashes suites (issue 16): a built server on a fresh
 * PostgreSQL database (or a data dir) with the bootstrap owner and raised rate limits, a token,
 * registry bodies on loopback, and decryption of stored rows in the test process through the
 * app's own cipher (lib/crypto/cipher.ts, which lib/registries/secrets.ts calls).
 */
import { randomBytes } from "node:crypto";
import { request as playwrightRequest } from "@playwright/test";
import { decryptSecrets } from "@/lib/crypto/cipher";
import { parseKeyring } from "@/lib/crypto/keyring";
import { startBerth, type BerthServer } from "./server";
import { ADMIN, bootstrapOwner } from "./session";

export interface TestKeys {
  ENCRYPTION_KEYS: string;
  AUTH_SECRET: string;
}

/** Test-only keys (PostgreSQL mode needs them set explicitly, the same on every start). */
export const testKeys = (): TestKeys => ({ ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`, AUTH_SECRET: randomBytes(33).toString("base64") });

/**
 * The environment of a reliability server: the bootstrap owner, and rate limits raised to their
 * ceilings so a load run measures the server, not the limiter (429s are still counted apart).
 */
export function reliabilityEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    BERTH_TEST_RATE_LIMIT: "10000",
    BERTH_PULL_RATE_LIMIT: "100000",
    BERTH_ADMIN_EMAIL: ADMIN.email,
    BERTH_ADMIN_PASSWORD: ADMIN.password,
    BERTH_COMPANY_NAME: ADMIN.company,
    LOG_LEVEL: "warn",
    ...extra,
  };
}

export function startOn(dbUrl: string | undefined, keys: TestKeys | undefined, extra: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<BerthServer> {
  return startBerth(reliabilityEnv({ ...(dbUrl ? { DATABASE_URL: dbUrl } : {}), ...(keys ?? {}), ...extra }), options);
}

/** Signs in as the bootstrap owner; a token with read, write and pull. */
export async function ownerToken(server: BerthServer): Promise<{ companyId: string; token: string }> {
  const api = await playwrightRequest.newContext({ baseURL: server.url });
  try {
    const { companyId, token } = await bootstrapOwner(api, ["registries:read", "registries:write", "registries:pull"]);
    return { companyId, token };
  } finally {
    await api.dispose();
  }
}

/** A custom registry body on loopback (the port of a real local registry, a unique path prefix). */
export function customBody(name: string, port: number, password: string, path = name) {
  return { name, type: "custom", credentials: { url: `http://127.0.0.1:${port}/${path}`, username: "robot", password } };
}

export interface StoredRow {
  id: string;
  company_id: string;
  name: string;
  is_deleted: boolean;
  secret_blob: string | null;
}

/** Decrypts one stored row with the given ENCRYPTION_KEYS, bound to its company and id as the app binds it. */
export function openRow(keySpec: string, row: StoredRow): Record<string, string> {
  if (!row.secret_blob) throw new Error(`row ${row.id} has no ciphertext`);
  return decryptSecrets(parseKeyring(keySpec), row.secret_blob, { companyId: row.company_id, registryId: row.id });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
