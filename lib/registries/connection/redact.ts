/**
 * Last line of defence: removes secrets from a result before it leaves the
 * engine (a registry or proxy might echo them in an error body). The engine
 * never puts a secret into a result on purpose.
 */

const MIN_SECRET_LENGTH = 6;
const MARK = "[redacted]";

/** The secret and its encoded forms that could appear in text. */
export function secretVariants(username: string | undefined, secret: string | undefined): string[] {
  if (!secret) return [];
  const variants = [secret, encodeURIComponent(secret), Buffer.from(`${username ?? ""}:${secret}`).toString("base64")];
  try {
    variants.push(JSON.stringify(secret).slice(1, -1));
  } catch {
    // unreachable for strings
  }
  return variants;
}

function redactText(text: string, secrets: readonly string[]): string {
  return secrets.reduce((current, secret) => (current.includes(secret) ? current.split(secret).join(MARK) : current), text);
}

/** A deep copy of `value` with every occurrence of the secrets replaced. */
export function redact<T>(value: T, secrets: readonly string[]): T {
  const usable = [...new Set(secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  if (usable.length === 0) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") return redactText(node, usable);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
    return node;
  };
  return walk(value) as T;
}
