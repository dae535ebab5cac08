import "server-only";
import { dataDir } from "@/db/data-dir";
import { env } from "@/lib/env";
import { loadServerSecrets, type ServerSecrets } from "./keyring";

export { CryptoError, blobKeyId, type SecretBinding } from "./cipher";
export type { Keyring } from "./keyring";

const globalForSecrets = globalThis as unknown as { berthSecrets?: ServerSecrets };

/** The process's keyring and auth secret, loaded (and on the embedded default, generated) once. */
export function serverSecrets(): ServerSecrets {
  if (!globalForSecrets.berthSecrets) {
    const e = env();
    globalForSecrets.berthSecrets = loadServerSecrets({
      databaseUrl: e.DATABASE_URL,
      encryptionKeys: e.ENCRYPTION_KEYS,
      authSecret: e.AUTH_SECRET,
      dataDir: dataDir(e.BERTH_DATA_DIR),
    });
  }
  return globalForSecrets.berthSecrets;
}
