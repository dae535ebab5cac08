/** PostgreSQL's unique_violation (SQLSTATE 23505), also when a driver or Drizzle wraps it as a cause. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined, i = 0; e && i < 4; e = e.cause as typeof e, i++) {
    if (e.code === "23505") return true;
  }
  return false;
}

/**
 * The database cannot be reached (down, restarting, the connection dropped, or no connection in
 * time): the request is answered 503 rather than 500, and never read as "no such user" (401).
 * Node socket errors, postgres.js' own connection errors, and the SQLSTATEs of a server that is
 * shutting down, starting up or refusing connections (class 08, 57P01–57P03, 53300).
 */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown; errors?: unknown } | undefined, i = 0; e && i < 6; e = e.cause as typeof e, i++) {
    const code = typeof e.code === "string" ? e.code : undefined;
    if (code && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    // net.connect to a host with several addresses fails with an AggregateError of each attempt.
    if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x))) return true;
  }
  return false;
}
