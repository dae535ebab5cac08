/** PostgreSQL's unique_violation (SQLSTATE 23505), also when a driver or Drizzle wraps it as a cause. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined, i = 0; e && i < 4; e = e.cause as typeof e, i++) {
    if (e.code === "23505") return true;
  }
  return false;
}
