import { createHash, randomBytes } from "node:crypto";

export const TOKEN_PREFIX = "brt_";
const TOKEN_RE = /^brt_[A-Za-z0-9_-]{43,}$/;

/** `brt_` + 32 random bytes in base64url: shown once, stored only as its SHA-256. */
export function generateApiToken(): { token: string; hash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: hashApiToken(token), prefix: token.slice(0, 12) };
}

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function looksLikeApiToken(value: string): boolean {
  return TOKEN_RE.test(value);
}
