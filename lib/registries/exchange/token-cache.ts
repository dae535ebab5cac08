/**
 * The one exchange function for a saved registry: Test Connection, pull secrets and the client
 * helpers all get an exchanged registry password (ECR) through {@link exchangeForRegistry}.
 *
 * The password is cached in PostgreSQL (`registry_tokens`), so every instance shares it:
 * encrypted like any secret and bound to its company and registry, holding a fingerprint of the
 * keys it came from (a password of replaced keys is never served, even when an exchange with the
 * old keys finishes after the change), reused until {@link REUSE_MARGIN_MS} before it expires.
 *
 * One AWS request per registry however many callers ask at once: callers in one process share
 * the exchange in flight; across instances (PostgreSQL) the exchange runs under a transaction
 * advisory lock on the registry, and whoever waited finds the new password when it gets the
 * lock. The embedded PGlite database is one process by construction (the data directory's lock
 * file), so the in-process sharing is the whole rule there and no transaction is held during
 * the request (PGlite has one connection).
 *
 * Without a registry ID, the first successful exchange also tells where the registry is: its
 * URL (the placeholder `dkr.ecr.REGION.amazonaws.com`) becomes the proxy endpoint's host.
 */
import "server-only";
import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { dbHandle, type Db } from "@/db";
import { registries, registryTokens } from "@/db/schema";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { decryptBoundValue, encryptBoundValue } from "@/lib/crypto/cipher";
import { serverSecrets } from "@/lib/crypto";
import { isUniqueViolation } from "@/lib/db-errors";
import { log } from "@/lib/log";
import type { ExchangedLogin } from "../connection/types";
import { getRegistryType } from "../types";
import { ecrEndpoint, getEcrAuthorizationToken, type EcrKeys, type ExchangeTransport } from "./aws-ecr";

/** A cached password is not handed out when it expires within this: 15 minutes. */
export const REUSE_MARGIN_MS = 15 * 60_000;

/** What the exchange needs to know of the saved registry. */
export interface ExchangeRegistry {
  id: string;
  companyId: string;
  type: string;
  /** The stored URL: a placeholder until learned (ECR without a registry ID). */
  url: string;
}

interface CachedPayload {
  username: string;
  password: string;
  plainHttp: boolean;
  endpoint: string;
  fingerprint: string;
}

const cacheContext = (registry: ExchangeRegistry) => `registry-token/${registry.companyId}/${registry.id}`;

/** A digest of everything the password depends on (keys, region, registry ID, endpoint); stored only inside the encrypted blob. */
export function keysFingerprint(keys: EcrKeys): string {
  const endpoint = ecrEndpoint(keys.region).url.toString();
  return createHash("sha256")
    .update(JSON.stringify([keys.accessKeyId, keys.secretAccessKey, keys.sessionToken ?? "", keys.region, keys.registryId ?? "", endpoint]))
    .digest("base64url");
}

async function readCached(db: Db, registry: ExchangeRegistry, fingerprint: string): Promise<ExchangedLogin | undefined> {
  const [row] = await db
    .select()
    .from(registryTokens)
    .where(and(eq(registryTokens.registryId, registry.id), eq(registryTokens.companyId, registry.companyId)))
    .limit(1);
  if (!row || row.expiresAt.getTime() - REUSE_MARGIN_MS <= Date.now()) return undefined;
  let payload: CachedPayload;
  try {
    payload = JSON.parse(decryptBoundValue(serverSecrets().keyring, row.blob, cacheContext(registry))) as CachedPayload;
  } catch {
    return undefined; // a key no longer configured, or a blob of another row: exchange again
  }
  if (payload.fingerprint !== fingerprint) return undefined;
  return {
    host: row.registryHost,
    plainHttp: payload.plainHttp,
    username: payload.username,
    password: payload.password,
    expiresAt: row.expiresAt,
    endpoint: payload.endpoint,
    cached: true,
  };
}

/**
 * Stores the password, unless the registry was deleted meanwhile. The registry row is share-locked
 * first: a delete (which locks it for update and drops its token) then waits for this, or this
 * sees the delete.
 */
async function writeCached(db: Db, registry: ExchangeRegistry, fingerprint: string, login: ExchangedLogin): Promise<void> {
  const live = await db
    .select({ id: registries.id })
    .from(registries)
    .where(and(eq(registries.id, registry.id), eq(registries.companyId, registry.companyId), eq(registries.isDeleted, false)))
    .for("share");
  if (live.length === 0) return;
  const { keyring } = serverSecrets();
  const payload: CachedPayload = { username: login.username, password: login.password, plainHttp: login.plainHttp, endpoint: login.endpoint, fingerprint };
  const values = {
    registryId: registry.id,
    companyId: registry.companyId,
    registryHost: login.host,
    expiresAt: login.expiresAt,
    blob: encryptBoundValue(keyring, JSON.stringify(payload), cacheContext(registry)),
    keyId: keyring.active.id,
    createdAt: new Date(),
  };
  await db.insert(registryTokens).values(values).onConflictDoUpdate({ target: registryTokens.registryId, set: values });
}

/** Drops a registry's cached password (its keys or binding changed, or it was deleted). */
export async function dropRegistryToken(db: Db, registryId: string): Promise<void> {
  await db.delete(registryTokens).where(eq(registryTokens.registryId, registryId));
}

/** Without a registry ID the URL is a placeholder until the first exchange says where the registry is. */
async function learnRegistryHost(db: Db, registry: ExchangeRegistry, host: string, actor: AuditActor | undefined): Promise<boolean> {
  const learns = getRegistryType(registry.type)?.learnsHost;
  if (!learns?.isPlaceholder(registry.url) || host === registry.url) return false;
  try {
    return await db.transaction(async (tx) => {
      const [updated] = await tx
        .update(registries)
        .set({ url: host, updatedAt: new Date(), version: sql`${registries.version} + 1` })
        .where(and(eq(registries.id, registry.id), eq(registries.companyId, registry.companyId), eq(registries.url, registry.url), eq(registries.isDeleted, false)))
        .returning({ id: registries.id, name: registries.name });
      if (!updated) return false;
      await recordAudit(tx as unknown as Db, actor ?? {}, {
        companyId: registry.companyId,
        action: "registry.url_learned",
        targetType: "registry",
        targetId: registry.id,
        metadata: { name: updated.name, from: registry.url, url: host },
      });
      return true;
    });
  } catch (err) {
    // Another registry of the company already has that URL: keep the placeholder (it still works).
    if (!isUniqueViolation(err)) throw err;
    log.info({ registryId: registry.id, url: host }, "learned registry URL already used by another registry; kept the placeholder");
    return false;
  }
}

const inFlight = new Map<string, Promise<ExchangedLogin>>();

async function exchangeOnce(registry: ExchangeRegistry, keys: EcrKeys, fingerprint: string, transport: ExchangeTransport): Promise<ExchangedLogin> {
  const { db, kind } = await dbHandle();
  const cached = await readCached(db, registry, fingerprint);
  if (cached) return cached;
  if (kind === "pglite") {
    const login = await getEcrAuthorizationToken(keys, transport);
    await writeCached(db, registry, fingerprint, login);
    return login;
  }
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await t.execute(sql`select pg_advisory_xact_lock(hashtext(${`berth:registry-token:${registry.id}`}))`);
    const fresh = await readCached(t, registry, fingerprint);
    if (fresh) return fresh;
    const login = await getEcrAuthorizationToken(keys, transport);
    await writeCached(t, registry, fingerprint, login);
    return login;
  });
}

/**
 * The registry password of a saved registry whose credentials are exchanged (ECR), from the
 * shared cache or from a new exchange (see the module comment). `keys` are the registry's
 * stored credentials, secrets included; `transport` carries the outbound policy and deadline.
 * Expected failures throw a `StageStop` at `aws-auth`.
 */
export async function exchangeForRegistry(
  registry: ExchangeRegistry,
  keys: EcrKeys,
  transport: ExchangeTransport,
  options: { actor?: AuditActor } = {},
): Promise<ExchangedLogin> {
  const fingerprint = keysFingerprint(keys);
  const flightKey = `${registry.id}:${fingerprint}`;
  let flight = inFlight.get(flightKey);
  if (!flight) {
    flight = exchangeOnce(registry, keys, fingerprint, transport).finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, flight);
  }
  const login = await flight;
  if (keys.registryId) return login;
  const learnedHost = await learnRegistryHost((await dbHandle()).db, registry, login.host, options.actor);
  return learnedHost ? { ...login, learnedHost } : login;
}
