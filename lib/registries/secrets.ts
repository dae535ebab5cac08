import "server-only";
import { decryptSecrets, encryptSecrets } from "@/lib/crypto/cipher";
import { serverSecrets } from "@/lib/crypto";
import { AppError, validationError } from "@/lib/errors";
import { storedSecretsRule, type SavedBinding } from "./binding";
import type { RegistryCredentials } from "./schemas";

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

/**
 * Which stored secrets a write or a test override may use (`storedSecretsRule`: none once the
 * binding changed), or the 400 that names what is missing and, when the binding changed, why.
 */
export function keptSecretsFor(row: SavedBinding, credentials: RegistryCredentials, change: { given: readonly string[]; cleared: readonly string[] }) {
  const { kept, bindingChange, missing } = storedSecretsRule(row, credentials, change);
  if (missing.length === 0) return { kept, bindingChange };
  if (!bindingChange) throw validationError(missing);
  const names = missing.map((m) => m.path.replace(/^credentials\./, ""));
  throw new AppError(
    "validation",
    `The registry ${bindingChange.subject} changed (${bindingChange.parts.join(", ")}: ${bindingChange.from} → ${bindingChange.to}), so the stored secrets are not used: enter ${names.join(", ")} again`,
    { errors: missing },
  );
}
