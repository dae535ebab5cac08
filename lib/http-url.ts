/**
 * The form of an http(s) URL Berth sends requests to (a webhook, a provider's API): the message
 * of what is wrong, or undefined. Client-safe and pure; where it may connect is the outbound
 * policy's business, not this.
 */
export function httpUrlIssue(value: string, options: { example: string; allowQuery: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `Must be a URL such as ${options.example}`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Must start with https:// (or http:// for an address in OUTBOUND_ALLOW_CIDRS)";
  if (url.username || url.password) return "Must not contain a user name or password";
  if (url.hash) return "Must not contain a #fragment";
  if (!options.allowQuery && url.search) return "Must not contain a query";
  if (!url.hostname) return "Must name a host";
  return undefined;
}
