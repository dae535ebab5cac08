import "server-only";
import { and, eq, inArray, isNotNull, ne, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { registries, registryTokens, userTotp, webhooks } from "@/db/schema";
import { ConfigError } from "@/lib/env";
import { decryptBoundValue, decryptSecrets, encryptBoundValue, encryptSecrets, totpSecretContext, webhookSecretContext } from "./cipher";
import type { Keyring } from "./keyring";

/**
 * Re-encrypts every stored secret (registry credentials, users' TOTP secrets, webhook signing secrets) with the
 * active key, a batch per transaction, and drops cached exchanged passwords under older keys. Rows are locked
 * while they are rewritten (SKIP LOCKED lets two rotations share the work); an interrupted run
 * can simply be started again.
 */
export async function rotateKeys(db: Db, keyring: Keyring, options: { batchSize?: number } = {}): Promise<{ rotated: number }> {
  const batchSize = options.batchSize ?? 200;
  let rotated = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: registries.id, companyId: registries.companyId, blob: registries.secretBlob })
        .from(registries)
        .where(and(isNotNull(registries.secretBlob), ne(registries.keyId, keyring.active.id)))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      for (const row of rows) {
        const binding = { companyId: row.companyId, registryId: row.id };
        const plaintext = decryptSecrets(keyring, row.blob!, binding);
        await tx
          .update(registries)
          .set({ secretBlob: encryptSecrets(keyring, plaintext, binding), keyId: keyring.active.id })
          .where(eq(registries.id, row.id));
      }
      return rows.length;
    });
    rotated += n;
    if (n < batchSize) break;
  }
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ userId: userTotp.userId, blob: userTotp.secretBlob })
        .from(userTotp)
        .where(ne(userTotp.keyId, keyring.active.id))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      for (const row of rows) {
        const context = totpSecretContext(row.userId);
        const secret = decryptBoundValue(keyring, row.blob, context);
        await tx.update(userTotp).set({ secretBlob: encryptBoundValue(keyring, secret, context), keyId: keyring.active.id }).where(eq(userTotp.userId, row.userId));
      }
      return rows.length;
    });
    rotated += n;
    if (n < batchSize) break;
  }
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: webhooks.id, companyId: webhooks.companyId, blob: webhooks.secretBlob })
        .from(webhooks)
        .where(ne(webhooks.keyId, keyring.active.id))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      for (const row of rows) {
        const context = webhookSecretContext(row.companyId, row.id);
        const secret = decryptBoundValue(keyring, row.blob, context);
        await tx.update(webhooks).set({ secretBlob: encryptBoundValue(keyring, secret, context), keyId: keyring.active.id }).where(eq(webhooks.id, row.id));
      }
      return rows.length;
    });
    rotated += n;
    if (n < batchSize) break;
  }
  // Exchanged registry passwords (ECR) are a cache: those under an old key are dropped, not rewritten.
  await db.delete(registryTokens).where(ne(registryTokens.keyId, keyring.active.id));
  return { rotated };
}

/** Start-up check: every key that encrypted a stored row must be configured. */
export async function assertKeysAvailable(db: Db, keyring: Keyring): Promise<void> {
  const rows = await db
    .selectDistinct({ keyId: registries.keyId })
    .from(registries)
    .where(and(isNotNull(registries.secretBlob), isNotNull(registries.keyId)));
  const totpKeys = await db.selectDistinct({ keyId: userTotp.keyId }).from(userTotp);
  const webhookKeys = await db.selectDistinct({ keyId: webhooks.keyId }).from(webhooks);
  const webhookMissing = webhookKeys.map((r) => r.keyId).filter((id) => !keyring.keys.has(id));
  if (webhookMissing.length > 0) {
    throw new ConfigError(
      `Webhook signing secrets were encrypted with key(s) ${webhookMissing.map((m) => `"${m}"`).join(", ")}, which ENCRYPTION_KEYS ` +
        `(or the data directory's encryption.key) does not contain. Add the old key back after the active one.`,
    );
  }
  const totpMissing = totpKeys.map((r) => r.keyId).filter((id) => !keyring.keys.has(id));
  if (totpMissing.length > 0) {
    throw new ConfigError(
      `Two-factor secrets were encrypted with key(s) ${totpMissing.map((m) => `"${m}"`).join(", ")}, which ENCRYPTION_KEYS ` +
        `(or the data directory's encryption.key) does not contain. Add the old key back after the active one.`,
    );
  }
  const missing = rows.map((r) => r.keyId!).filter((id) => !keyring.keys.has(id));
  if (missing.length > 0) {
    const count = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(registries)
      .where(and(isNotNull(registries.secretBlob), inArray(registries.keyId, missing)));
    throw new ConfigError(
      `Stored credentials of ${count[0]?.n ?? "some"} registries were encrypted with key(s) ${missing.map((m) => `"${m}"`).join(", ")}, ` +
        `which ENCRYPTION_KEYS (or the data directory's encryption.key) does not contain. Add the old key back after the active one.`,
    );
  }
}
