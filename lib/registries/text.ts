/**
 * Small string helpers for the registry module that would otherwise be regular expressions with
 * a quantifier before `$` (`/\/+$/`): V8 retries such a pattern from every position of a long run,
 * which is quadratic in the run's length (issue 16, ReDoS). These run in one pass.
 */

/** `value` without its trailing slashes. */
export function trimTrailingSlashes(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x2f) end--;
  return end === value.length ? value : value.slice(0, end);
}

/**
 * The text between `begin` and the first `end` after it (null when either is missing), found with
 * `indexOf`: a lazy `[\s\S]*?` between two literals rescans to the end of the input from every
 * `begin`, which is quadratic when the input repeats `begin` without `end`.
 */
export function between(text: string, begin: string, end: string, from = 0): { body: string; next: number } | null {
  const start = text.indexOf(begin, from);
  if (start < 0) return null;
  const stop = text.indexOf(end, start + begin.length);
  if (stop < 0) return null;
  return { body: text.slice(start + begin.length, stop), next: stop + end.length };
}

/** Whether a PEM body (whitespace and line breaks allowed) is non-empty, padded base64. */
export function isPemBase64(body: string): boolean {
  // `\s+` with /g consumes each run once and the anchored class test is one pass: both linear.
  const compact = body.replace(/\s+/g, "");
  return compact.length > 0 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact);
}
