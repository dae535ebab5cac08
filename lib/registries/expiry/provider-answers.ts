/**
 * Reading a token's expiry from what a provider answers. Pure (no I/O), so every format can be
 * tested alone.
 *
 * - GitHub sends `GitHub-Authentication-Token-Expiration` on any authenticated API answer for a
 *   token that expires, as `2026-12-31 12:00:00 UTC` or `2026-12-31 12:00:00 +0000` (any offset);
 *   no header on a 2xx answer means the token never expires.
 * - GitLab answers `GET /api/v4/personal_access_tokens/self` with `{expires_at, scopes, revoked}`,
 *   `expires_at` a date (`2026-12-31`) or null; such a token stops working at 00:00 UTC that day.
 */

export type DetectionOutcome =
  | { ok: true; expiresAt: Date | null; message: string }
  | { ok: false; message: string };

const GITHUB_EXPIRATION = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})$/i;

/** GitHub's expiration header as a time, or null when it is not one of its formats. */
export function parseGithubExpiration(value: string): Date | null {
  const m = GITHUB_EXPIRATION.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, zone] = m as unknown as [string, string, string, string, string, string, string, string];
  const offset = /^(UTC|GMT|Z)$/i.test(zone) ? "Z" : `${zone.slice(0, 3)}:${zone.replace(":", "").slice(3)}`;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(at.getTime()) ? null : at;
}

export function readGithubAnswer(status: number, header: string | undefined): DetectionOutcome {
  if (status === 401) return { ok: false, message: "GitHub refused the token (401): it is wrong, revoked or expired" };
  if (status === 403) return { ok: false, message: "GitHub answered 403: the token may be rate limited or blocked by an organisation policy" };
  if (status < 200 || status >= 300) return { ok: false, message: `GitHub's API answered ${status}` };
  if (!header) return { ok: true, expiresAt: null, message: "GitHub says the token does not expire" };
  const at = parseGithubExpiration(header);
  if (!at) return { ok: false, message: "GitHub's expiration header is not in a known format" };
  return { ok: true, expiresAt: at, message: `GitHub says the token expires at ${at.toISOString()}` };
}

export function readGitlabAnswer(status: number, body: unknown): DetectionOutcome {
  if (status === 401) return { ok: false, message: "GitLab refused the token (401): it is wrong, revoked or expired, or a deploy token (whose expiry GitLab does not tell)" };
  if (status === 403) return { ok: false, message: "GitLab answered 403: the token cannot read its own details" };
  if (status === 404) return { ok: false, message: "GitLab has no personal_access_tokens/self here (404): check the Expiry API URL, or use a personal, project or group access token" };
  if (status < 200 || status >= 300) return { ok: false, message: `GitLab's API answered ${status}` };
  if (typeof body !== "object" || body === null) return { ok: false, message: "GitLab's answer is not a token description" };
  const { expires_at: expires, scopes, revoked } = body as { expires_at?: unknown; scopes?: unknown; revoked?: unknown };
  if (revoked === true) return { ok: false, message: "GitLab says the token is revoked" };
  const scopeList = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : [];
  const scopeNote = scopeList.length > 0 && !scopeList.some((s) => s === "read_registry" || s === "api") ? " It lacks the read_registry scope." : "";
  if (expires === null || expires === undefined) return { ok: true, expiresAt: null, message: `GitLab says the token does not expire.${scopeNote}`.trim() };
  if (typeof expires !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(expires)) return { ok: false, message: "GitLab's expires_at is not a date" };
  const at = new Date(expires.length === 10 ? `${expires}T00:00:00Z` : expires);
  if (Number.isNaN(at.getTime())) return { ok: false, message: "GitLab's expires_at is not a date" };
  return { ok: true, expiresAt: at, message: `GitLab says the token expires at ${at.toISOString()}.${scopeNote}` };
}
