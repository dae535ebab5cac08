import "server-only";
import { decryptSecrets, encryptSecrets } from "@/lib/crypto/cipher";
import { serverSecrets } from "@/lib/crypto";

/**
 * The one road for registry secrets. Encryption binds a blob to its company and registry; this
 * module is the only caller of decryptSecrets for registries, and what it returns goes to Test
 * Connection and the pull-secret builders only, never to a response, a log or the audit log.
 */
export function sealRegistrySecrets(secrets: Record<string, string>, binding: { companyId: string; registryId: string }) {
  const { keyring } = serverSecrets();
  if (Object.keys(secrets).length === 0) return { blob: null, keyId: null };
  return { blob: encryptSecrets(keyring, secrets, binding), keyId: keyring.active.id };
}

export function openRegistrySecrets(row: { id: string; companyId: string; secretBlob: string | null }): Record<string, string> {
  if (!row.secretBlob) return {};
  return decryptSecrets(serverSecrets().keyring, row.secretBlob, { companyId: row.companyId, registryId: row.id });
}
