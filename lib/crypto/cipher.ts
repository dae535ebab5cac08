import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring } from "./keyring";

/**
 * AES-256-GCM with a random 96-bit nonce. The stored blob is text:
 *   v1.<keyId>.<nonce b64url>.<ciphertext+tag b64url>
 * It names its key, so rotation can tell old rows from new, and the additional authenticated
 * data binds it to one company and one registry: a blob copied to another row fails to decrypt.
 */
const VERSION = "v1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBinding {
  companyId: string;
  registryId: string;
}

export type CryptoErrorCode = "malformed" | "unknown_key" | "authentication_failed";

export class CryptoError extends Error {
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "CryptoError";
  }
}

function aad(binding: SecretBinding): Buffer {
  return Buffer.from(`berth/registry-secrets/${VERSION}/${binding.companyId}/${binding.registryId}`, "utf8");
}

export function encryptSecrets(keyring: Keyring, plaintext: Record<string, string>, binding: SecretBinding): string {
  return seal(keyring, JSON.stringify(plaintext), aad(binding));
}

/**
 * The same cipher for a secret that is not a registry's (a user's TOTP secret): `context` names
 * what the value is and whose, and is authenticated, so a blob copied to another row fails.
 */
export function encryptBoundValue(keyring: Keyring, plaintext: string, context: string): string {
  return seal(keyring, plaintext, Buffer.from(`berth/${context}/${VERSION}`, "utf8"));
}

export function decryptBoundValue(keyring: Keyring, blob: string, context: string): string {
  return open(keyring, blob, Buffer.from(`berth/${context}/${VERSION}`, "utf8"));
}

/** What a user's TOTP secret is bound to. */
export const totpSecretContext = (userId: string) => `totp-secret/${userId}`;

/** What a webhook's signing secret is bound to: its company and webhook. */
export const webhookSecretContext = (companyId: string, webhookId: string) => `webhook-secret/${companyId}/${webhookId}`;

function seal(keyring: Keyring, plaintext: string, additionalData: Buffer): string {
  const { id, key } = keyring.active;
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, id, nonce.toString("base64url"), body.toString("base64url")].join(".");
}

export function blobKeyId(blob: string): string {
  return parseBlob(blob).keyId;
}

function parseBlob(blob: string): { keyId: string; nonce: Buffer; body: Buffer } {
  const parts = blob.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION || !parts[1]) {
    throw new CryptoError("malformed", "The stored secret is not a recognised blob");
  }
  const nonce = Buffer.from(parts[2] ?? "", "base64url");
  const body = Buffer.from(parts[3] ?? "", "base64url");
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) {
    throw new CryptoError("malformed", "The stored secret is truncated");
  }
  return { keyId: parts[1], nonce, body };
}

export function decryptSecrets(keyring: Keyring, blob: string, binding: SecretBinding): Record<string, string> {
  return JSON.parse(open(keyring, blob, aad(binding))) as Record<string, string>;
}

function open(keyring: Keyring, blob: string, additionalData: Buffer): string {
  const { keyId, nonce, body } = parseBlob(blob);
  const key = keyring.keys.get(keyId);
  if (!key) {
    throw new CryptoError("unknown_key", `The stored secret was encrypted with key "${keyId}", which is not configured`);
  }
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new CryptoError(
      "authentication_failed",
      "The stored secret failed authentication (wrong key, altered data, or a blob from another row)",
    );
  }
}
