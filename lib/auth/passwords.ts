import "server-only";
import { hash, verify } from "@node-rs/argon2";

/** argon2id (the library's default algorithm), OWASP's minimum cost: 19 MiB, 2 passes. */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummy: Promise<string> | undefined;

/**
 * Verifies a password. With no stored hash (unknown email) it still verifies against a dummy
 * hash, so a wrong email and a wrong password take the same time.
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  dummy ??= hash("berth-dummy-password", OPTIONS);
  const target = stored ?? (await dummy);
  try {
    const ok = await verify(target, password);
    return ok && !!stored;
  } catch {
    return false;
  }
}
