import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { ConfigError } from "@/lib/env";

export interface Keyring {
  active: { id: string; key: Buffer };
  keys: Map<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `id:base64key[,id:base64key…]`; the first entry is the active key. */
export function parseKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  let active: Keyring["active"] | undefined;
  for (const raw of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const sep = raw.indexOf(":");
    const id = sep > 0 ? raw.slice(0, sep) : "";
    if (!KEY_ID.test(id)) {
      throw new ConfigError(`ENCRYPTION_KEYS: each entry is id:base64key with an id of letters, digits, _ or - (got "${id || raw.slice(0, 8)}…")`);
    }
    const key = Buffer.from(raw.slice(sep + 1), "base64");
    if (key.length !== 32) {
      throw new ConfigError(`ENCRYPTION_KEYS: key "${id}" must be 32 bytes of base64 (openssl rand -base64 32), got ${key.length} bytes`);
    }
    if (keys.has(id)) throw new ConfigError(`ENCRYPTION_KEYS: key id "${id}" appears twice`);
    keys.set(id, key);
    active ??= { id, key };
  }
  if (!active) throw new ConfigError("ENCRYPTION_KEYS is empty");
  return { active, keys };
}

export function generateKeySpec(id = "k1"): string {
  return `${id}:${randomBytes(32).toString("base64")}`;
}

export interface ServerSecrets {
  keyring: Keyring;
  authSecret: string;
  /** Files created on this start (the caller logs a back-up reminder). */
  generated: string[];
}

function readOrCreate(file: string, make: () => string, generated: string[]): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = make();
  try {
    fs.writeFileSync(file, value + "\n", { mode: 0o600, flag: "wx" });
    generated.push(file);
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file, "utf8").trim();
    throw err;
  }
}

/**
 * The encryption keyring and the Auth.js secret. With DATABASE_URL both must come from the
 * environment (every instance must share them); on the embedded default they are generated once
 * into the data directory with mode 0600.
 */
export function loadServerSecrets(opts: {
  databaseUrl?: string;
  encryptionKeys?: string;
  authSecret?: string;
  dataDir: string;
}): ServerSecrets {
  const generated: string[] = [];
  if (opts.databaseUrl) {
    const missing = [!opts.encryptionKeys && "ENCRYPTION_KEYS", !opts.authSecret && "AUTH_SECRET"].filter(Boolean);
    if (missing.length > 0) {
      throw new ConfigError(
        `${missing.join(" and ")} must be set when DATABASE_URL is set (every instance must share them). ` +
          `Generate a key with: echo "k1:$(openssl rand -base64 32)"; and a secret with: openssl rand -base64 33`,
      );
    }
  }
  const keySpec = opts.encryptionKeys ?? readOrCreate(path.join(opts.dataDir, "encryption.key"), generateKeySpec, generated);
  const authSecret =
    opts.authSecret ?? readOrCreate(path.join(opts.dataDir, "auth-secret"), () => randomBytes(33).toString("base64url"), generated);
  return { keyring: parseKeyring(keySpec), authSecret, generated };
}
