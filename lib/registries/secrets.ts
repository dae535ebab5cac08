import "server-only";
import { decryptSecrets, encryptSecrets } from "@/lib/crypto/cipher";
import { serverSecrets } from "@/lib/crypto";
import { AppError, validationError } from "@/lib/errors";
import { bindingChanges, bindingOf, storedBindingOf, type BindingChange } from "./binding";
import { findMissingCredentials, isSecretField, type RegistryCredentials, type RegistryTypeKey } from "./schemas";

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
 * The one rule for stored secrets on a write or a test override: they are used only while the
 * binding stays as saved (see `bindingChanges`). Returns the stored secret fields that are kept
 * (none when the binding changed; never those given anew or cleared), or throws the 400 that
 * names what is missing — when the binding changed, every secret of the type and why.
 */
export function keptSecretsFor(
  row: { type: string; url: string; plainHttp: boolean; credentials: unknown; secretFields: string[] },
  credentials: RegistryCredentials,
  change: { given: readonly string[]; cleared: readonly string[] },
): { kept: string[]; bindingChange: BindingChange | null } {
  const type = row.type as RegistryTypeKey;
  const bindingChange = bindingChanges(storedBindingOf(row), bindingOf(type, credentials));
  const kept = bindingChange ? [] : row.secretFields.filter((f) => !change.given.includes(f) && !change.cleared.includes(f));
  const missing = findMissingCredentials(type, credentials, kept);
  if (missing.length === 0) return { kept, bindingChange };
  if (!bindingChange) throw validationError(missing);
  const again = `Required: the registry ${bindingChange.subject} changed, so enter this secret again`;
  const names = missing.map((m) => m.path.replace(/^credentials\./, ""));
  throw new AppError(
    "validation",
    `The registry ${bindingChange.subject} changed (${bindingChange.parts.join(", ")}: ${bindingChange.from} → ${bindingChange.to}), so the stored secrets are not used: enter ${names.join(", ")} again`,
    { errors: missing.map((m) => ({ path: m.path, message: isSecretField(m.path.replace(/^credentials\./, "")) ? again : m.message })) },
  );
}
