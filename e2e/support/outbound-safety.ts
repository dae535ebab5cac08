import fc from "fast-check";

/**
 * The fuzz suite's outbound safety (issue 16, suite 4): the only URL values it generates
 * (loopback 127.0.0.0/8 or `.invalid` names), the sanitizer every other generated string goes
 * through, and the check every generated case must pass.
 */


/**
 * Runs of name characters (a linear pattern: a class repeated, nothing to backtrack over); a run
 * with a dot is host-like.
 */
export const NAME_RUN = /[\p{L}\p{N}\p{M}_.-]+/gu;
/** Fields whose string value Berth may contact (a URL, a host, an image reference). */
export const URLISH = /url$|^url|endpoint|realm|server$|host$|^image/i;
/** Image references that name no host of their own (the registry's URL is the host). */
export const SAFE_IMAGES = ["team/app", "team/app:v1", "a/b@sha256:" + "0".repeat(64), "127.0.0.1:9/x/y", "UPPER/Case", "", "x/" + "y".repeat(2000), "../../etc", "team/app:" + "t".repeat(200), "team//app", "team/app:", "@", "/"];

export function isSafeHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || (h.endsWith(".invalid") && h.length > ".invalid".length);
}

/** A run with a dot and something other than dots (`a.b`, `a.`; not `..`). */
export const hostLike = (run: string) => run.includes(".") && /[^.]/.test(run);

/** Every host-like run of a string is loopback or `.invalid`: otherwise its dots become underscores. */
export function sanitize(s: string): string {
  return s.replace(NAME_RUN, (m) => (hostLike(m) && !isSafeHost(m) ? m.replace(/\./g, "_") : m));
}

/** The host a URL-ish value names, as Berth would parse it (with or without a scheme). */
export function urlHost(s: string): string | null {
  for (const candidate of [s, `http://${s}`]) {
    try {
      const u = new URL(candidate);
      if (u.hostname) return u.hostname.replace(/^\[|\]$/g, "");
    } catch {
      // not a URL in this form
    }
  }
  return null;
}

/**
 * Throws unless `value` can only make Berth contact loopback or `.invalid`: every host-like run of
 * every string and key is one of those, and every URL-ish field's string parses to one of those
 * (numeric forms such as `2130706433` or `0x7f.1` included, since URL parsing rewrites them).
 */
export function assertOutboundSafe(value: unknown, where: string): void {
  const visit = (v: unknown, at: string, key: string) => {
    if (typeof v === "string") {
      // A percent-escape ends a run (`%2F127.0.0.9` names 127.0.0.9, not `2F127.0.0.9`).
      for (const m of v.replace(/%[0-9a-fA-F]{2}/g, " ").matchAll(NAME_RUN)) if (hostLike(m[0]) && !isSafeHost(m[0])) throw new Error(`unsafe host ${JSON.stringify(m[0])} generated at ${where}${at}`);
      // An image reference names a host only if its first component has a dot or a colon.
      const first = v.split("/")[0]!;
      const hostless = /^image/i.test(key) && !hostLike(first) && !first.includes(":") && first !== "localhost";
      if (URLISH.test(key) && v !== "" && !hostless) {
        const host = urlHost(v);
        if (host !== null && /[^.]/.test(host) && !isSafeHost(host)) throw new Error(`unsafe URL host ${JSON.stringify(host)} in ${JSON.stringify(v.slice(0, 80))} at ${where}${at}`);
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${at}[${i}]`, key));
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        // A key is never used as a URL: only its host-like runs are checked.
        visit(k, `${at}{key}`, "");
        visit(x, `${at}.${k}`, URLISH.test(key) ? key : k);
      }
  };
  visit(value, "", "");
}

const octet = fc.integer({ min: 0, max: 255 });
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
const port = fc.oneof(fc.constant(9), fc.integer({ min: 1, max: 65535 }));
const urlTail = fc.constantFrom("", "/", "/v2/", "/team/app", "/a/b/c", "?x=1", "/%2e%2e/", "#frag", "/" + "p".repeat(300));
const safeHostArb = fc.oneof(
  fc.tuple(octet, octet, octet).map(([a, b, c]) => `127.${a}.${b}.${c}`),
  fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `${ls.join(".")}.invalid`),
);
/** The only URL values the suite sends: loopback or `.invalid`, in the shapes registries and webhooks accept. */
export const safeUrl = fc
  .tuple(fc.constantFrom("http://", "https://", "", "oci://", "ftp://", "HTTP://"), fc.option(fc.constantFrom("user@", "u:p@"), { nil: "" }), safeHostArb, fc.option(port.map((p) => `:${p}`), { nil: "" }), urlTail)
  .map(([scheme, auth, host, p, tail]) => `${scheme}${auth}${host}${p}${tail}`);

