/**
 * Where a webhook may point. The outbound policy of Test Connection applies: addresses that are
 * not public (loopback, private, link-local, metadata, CGNAT, …) are refused unless an
 * `OUTBOUND_ALLOW_CIDRS` entry admits them, and `http://` is accepted only for addresses such an
 * entry admits (clear text never crosses the internet). Checked when a webhook is saved and
 * again, on the address connected to, at every delivery (the transport does that).
 */
import "server-only";
import { httpUrlIssue } from "@/lib/http-url";
import type { AddressVerdict, OutboundPolicy } from "@/lib/registries/connection/policy";
import { canonicalAddress, refusedAddressesText } from "@/lib/registries/connection/policy";
import type { LookupFunction } from "@/lib/registries/connection/types";

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** A URL's form: https or http, no user name or password, no fragment. The message, or undefined when fine. */
export function webhookUrlFormIssue(raw: string): string | undefined {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `Must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  const issue = httpUrlIssue(raw, { example: "https://hooks.example.com/berth", allowQuery: true });
  return issue?.startsWith("Must not contain a user name") ? `${issue}: Berth signs every delivery instead` : issue;
}

/**
 * The verdict on the addresses a webhook host resolves to: undefined when a delivery may go
 * there, else why not. `http:` needs an address admitted by an allow-list entry.
 */
export function webhookTargetIssue(protocol: string, host: string, verdicts: readonly AddressVerdict[]): string | undefined {
  const allowed = verdicts.filter((v) => v.allowed);
  if (allowed.length === 0) {
    // By class only: the addresses an internal name resolves to are not told (policy.ts).
    const refused = verdicts.length ? refusedAddressesText(verdicts) : "no address";
    return `${host} resolves to ${refused}, which the outbound policy refuses`;
  }
  if (protocol === "http:" && !allowed.some((v) => v.allowedBy)) {
    return "http:// is only allowed for addresses listed in OUTBOUND_ALLOW_CIDRS: use https://";
  }
  return undefined;
}

/** Checks a webhook URL as a delivery would (resolving its host), before it is saved. */
export async function checkWebhookUrl(raw: string, options: { policy: OutboundPolicy; lookup: LookupFunction; timeoutMs?: number }): Promise<string | undefined> {
  const form = webhookUrlFormIssue(raw);
  if (form) return form;
  const url = new URL(raw);
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  const literal = canonicalAddress(hostname);
  if (literal) addresses = [literal];
  else {
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), options.timeoutMs ?? 5_000);
      });
      addresses = (await Promise.race([options.lookup(hostname), timeout]).finally(() => clearTimeout(timer))).map((a) => a.address);
    } catch {
      return `${hostname} could not be resolved`;
    }
  }
  return webhookTargetIssue(url.protocol, hostname, addresses.map((a) => options.policy.check(a)));
}
