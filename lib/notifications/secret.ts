import "server-only";
import { decryptBoundValue, encryptBoundValue, webhookSecretContext } from "@/lib/crypto/cipher";
import { serverSecrets } from "@/lib/crypto";

export function sealWebhookSecret(secret: string, webhook: { companyId: string; id: string }): { secretBlob: string; keyId: string } {
  const { keyring } = serverSecrets();
  return { secretBlob: encryptBoundValue(keyring, secret, webhookSecretContext(webhook.companyId, webhook.id)), keyId: keyring.active.id };
}

/** The signing secret, for signing a delivery only: never for a response (but the one at creation), a log or the audit log. */
export function openWebhookSecret(webhook: { companyId: string; id: string; secretBlob: string }): string {
  return decryptBoundValue(serverSecrets().keyring, webhook.secretBlob, webhookSecretContext(webhook.companyId, webhook.id));
}
