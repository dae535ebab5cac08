/**
 * The one check for every redirect target taken from a request (`/login?next=`, the sign-in
 * form, Auth.js' callback URL). Only a path of this site passes; anything else becomes the
 * fallback (`/`).
 *
 * Refused: non-strings, empty or over-long values, anything not starting with exactly one `/`
 * (`//evil`, `https://evil`, `javascript:`), backslashes (browsers read `/\evil` as `//evil`),
 * control characters and whitespace (`/\t/evil` loses its tab and becomes `//evil`), dot
 * segments (`/.//evil` normalises to `//evil`), and the same tricks behind percent-encoding
 * (`/%5Cevil`, `/%2F/evil`, `/%09/evil`, `/%2e//evil`, also encoded twice).
 */
export function safeNext(raw: unknown, fallback = "/"): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return fallback;
  if (!raw.startsWith("/") || RAW_FORBIDDEN.test(raw) || DOT_SEGMENT.test(raw)) return fallback;
  let decoded = raw;
  for (let i = 0; i < 4; i++) {
    if (decoded.startsWith("//") || DECODED_FORBIDDEN.test(decoded) || DOT_SEGMENT.test(decoded)) return fallback;
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return fallback; // malformed percent-encoding
    }
    if (next === decoded) break;
    decoded = next;
  }
  if (decoded !== decodeOnce(decoded)) return fallback; // still encoded after four rounds
  const base = "http://berth.invalid";
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base || url.pathname.startsWith("//")) return fallback;
  return raw;
}

function decodeOnce(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return "";
  }
}

/** Backslash, C0 controls, space, DEL, and the Unicode spaces and invisible marks. */
const RAW_FORBIDDEN = /[\\\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/;
/** After decoding an encoded space is harmless; backslashes and control characters are not. */
const DECODED_FORBIDDEN = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A `.` or `..` path segment (before any query or fragment). */
const DOT_SEGMENT = /^[^?#]*\/\.{1,2}(?:[/?#]|$)/;
