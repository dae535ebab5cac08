/**
 * Last line of defence: removes secrets from a result before it leaves the
 * engine (a registry or proxy might echo them in an error body). The engine
 * never puts a secret into a result on purpose.
 *
 * Whole secrets (and their encoded forms) are replaced wherever they occur; so is every run of
 * text made of fragments of 8 or more characters of a secret, compared with whitespace and JSON
 * escapes taken out on both sides (issue 16: a secret cut where a message was clipped, or a key
 * file quoted with its whitespace changed, survived a whole-string search). A key file (a JSON
 * object, e.g. Google's service-account key) contributes the fragments of its values, not of its
 * field names and fixed text, which would otherwise blank out ordinary words.
 */

const MIN_SECRET_LENGTH = 6;
/** Shortest run of a secret's characters that is redacted on its own. */
export const MIN_FRAGMENT_LENGTH = 8;
const MARK = "[redacted]";

/** Values of a key file that are public by design (they name the key, not unlock anything). */
const PUBLIC_KEY_FILE_FIELDS = new Set(["type", "project_id", "client_email", "auth_uri", "token_uri", "auth_provider_x509_cert_url", "client_x509_cert_url", "universe_domain"]);

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** The secret and its encoded forms that could appear in text. */
export function secretVariants(username: string | undefined, secret: string | undefined): string[] {
  if (!secret) return [];
  const variants = [secret, encodeURIComponent(secret), Buffer.from(`${username ?? ""}:${secret}`).toString("base64"), base64(secret)];
  try {
    variants.push(JSON.stringify(secret).slice(1, -1));
  } catch {
    // unreachable for strings
  }
  return variants;
}

function redactWhole(text: string, secrets: readonly string[]): string {
  return secrets.reduce((current, secret) => (current.includes(secret) ? current.split(secret).join(MARK) : current), text);
}

/** Whitespace and JSON escapes are not part of what is compared: `\n`, `\t`, `\r` and `\` go. */
function normalized(text: string): { chars: string; at: number[] } {
  let chars = "";
  const at: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      if ("nrt".includes(text[i + 1] ?? "")) i++;
      continue;
    }
    if (/\s/.test(c)) continue;
    chars += c;
    at.push(i);
  }
  return { chars, at };
}

/** What a secret's fragments are taken from: the secret, or a key file's non-public values. */
function fragmentSources(secret: string): string[] {
  const trimmed = secret.trim();
  if (trimmed.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        return Object.entries(parsed as Record<string, unknown>)
          .filter(([key, value]) => !PUBLIC_KEY_FILE_FIELDS.has(key) && typeof value === "string")
          .map(([, value]) => (value as string).replace(/-----(?:BEGIN|END) [A-Z ]{1,40}-----/g, ""));
      }
    } catch {
      // not JSON: the text itself
    }
  }
  return [secret];
}

/** Every MIN_FRAGMENT_LENGTH-character window of the secrets' normalized forms, encodings included. */
function fragmentWindows(secrets: readonly string[]): Set<string> {
  const windows = new Set<string>();
  for (const secret of secrets) {
    for (const source of fragmentSources(secret)) {
      // Base64 at each of the three alignments a fragment can start at; the padded tail is left out.
      const encodings = [source, encodeURIComponent(source), ...[0, 1, 2].map((skip) => base64(source.slice(skip)).split("=")[0]!.slice(0, -1))];
      for (const encoded of encodings) {
        const { chars } = normalized(encoded);
        for (let i = 0; i + MIN_FRAGMENT_LENGTH <= chars.length; i++) windows.add(chars.slice(i, i + MIN_FRAGMENT_LENGTH));
      }
    }
  }
  return windows;
}

/** Replaces every run of text covered by secret fragments (in normalized form) with the mark. */
function redactFragments(text: string, windows: ReadonlySet<string>): string {
  if (windows.size === 0 || text.length < MIN_FRAGMENT_LENGTH) return text;
  const { chars, at } = normalized(text);
  const covered = new Uint8Array(chars.length);
  let any = false;
  for (let i = 0; i + MIN_FRAGMENT_LENGTH <= chars.length; i++) {
    if (windows.has(chars.slice(i, i + MIN_FRAGMENT_LENGTH))) {
      covered.fill(1, i, i + MIN_FRAGMENT_LENGTH);
      any = true;
    }
  }
  if (!any) return text;
  let out = "";
  let last = 0;
  for (let i = 0; i < chars.length; i++) {
    if (!covered[i]) continue;
    let j = i;
    while (j + 1 < chars.length && covered[j + 1]) j++;
    out += text.slice(last, at[i]) + MARK;
    last = at[j]! + 1;
    i = j;
  }
  return out + text.slice(last);
}

/** One string with the secrets (whole, encoded, and by fragments) replaced. */
export function redactText(text: string, secrets: readonly string[]): string {
  return redact(text, secrets);
}

/** A deep copy of `value` with every occurrence of the secrets replaced. */
export function redact<T>(value: T, secrets: readonly string[]): T {
  const usable = [...new Set(secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  if (usable.length === 0) return value;
  const windows = fragmentWindows(usable.filter((secret) => secret.length >= MIN_FRAGMENT_LENGTH));
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") return redactFragments(redactWhole(node, usable), windows);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
    return node;
  };
  return walk(value) as T;
}
