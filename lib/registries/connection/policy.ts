/**
 * Outbound policy for Test Connection (SSRF guard).
 *
 * Security decision: Test Connection makes the server talk to an address a
 * user typed, so every address it connects to (registry host, each redirect
 * target, the token realm) is classified first, and anything that is not a
 * public unicast address is refused unless an operator listed it in
 * `OUTBOUND_ALLOW_CIDRS`. The check runs on the resolved address that is then
 * connected to, so DNS rebinding cannot slip a different address in.
 */
import ipaddr from "ipaddr.js";

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "metadata"
  | "cgnat"
  | "multicast"
  | "unspecified"
  | "broadcast"
  | "reserved"
  | "invalid";

export interface AddressClassification {
  allowed: boolean;
  /** Why it is refused (or, when an allow-list entry let it through, what it is). */
  reason?: Exclude<AddressClass, "public">;
}

export interface AddressVerdict extends AddressClassification {
  /** Canonical text form (IPv4-mapped IPv6 unwrapped to IPv4). */
  address: string;
  /** The allow-list entry that admitted a refused class. */
  allowedBy?: string;
}

export interface OutboundPolicy {
  readonly allowCidrs: readonly string[];
  check(address: string): AddressVerdict;
}

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** Cloud instance metadata endpoints (AWS, GCP, Azure, ECS, Alibaba, Oracle). */
const METADATA_ADDRESSES = new Set([
  "169.254.169.254",
  "169.254.170.2",
  "100.100.100.200",
  "192.0.0.192",
  "fd00:ec2::254",
]);

const IPV4_CLASSES: Record<string, AddressClass> = {
  unicast: "public",
  as112: "public",
  amt: "public",
  unspecified: "unspecified",
  broadcast: "broadcast",
  multicast: "multicast",
  linkLocal: "link-local",
  loopback: "loopback",
  carrierGradeNat: "cgnat",
  private: "private",
};

const IPV6_CLASSES: Record<string, AddressClass> = {
  unicast: "public",
  amt: "public",
  as112v6: "public",
  unspecified: "unspecified",
  linkLocal: "link-local",
  multicast: "multicast",
  loopback: "loopback",
  uniqueLocal: "private",
  deprecatedSiteLocal: "private",
};

/**
 * Parses an IP literal the way a resolver would: IPv6 (brackets and zone id
 * allowed) and every IPv4 form `inet_aton` accepts (`127.1`, `2130706433`,
 * `0x7f000001`, `0177.0.0.1`). Returns undefined for anything else.
 */
export function parseIpLiteral(host: string): IpAddress | undefined {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  if (ipaddr.IPv4.isValid(bare)) return ipaddr.IPv4.parse(bare);
  return undefined;
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes the IPv4 address it means. */
function unwrapMapped(address: IpAddress): IpAddress {
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** Canonical text of an address literal, or undefined when it is not one. */
export function canonicalAddress(host: string): string | undefined {
  const parsed = parseIpLiteral(host);
  return parsed ? unwrapMapped(parsed).toString() : undefined;
}

function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray().slice(12);
  return new ipaddr.IPv4(bytes);
}

function classOf(address: IpAddress): AddressClass {
  const text = address.toString();
  if (METADATA_ADDRESSES.has(text)) return "metadata";
  if (address.kind() === "ipv4") return IPV4_CLASSES[address.range()] ?? "reserved";
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  // NAT64 (64:ff9b::/96) reaches the IPv4 address embedded in the low 32 bits.
  if (range === "rfc6052" && text.startsWith("64:ff9b::")) return classOf(embeddedIpv4(v6));
  // IPv4-compatible (::a.b.c.d, deprecated) and every other special range.
  if (range === "unicast" && v6.parts.slice(0, 6).every((part) => part === 0)) return "reserved";
  return IPV6_CLASSES[range] ?? "reserved";
}

/** Classifies an address literal, ignoring any allow-list. */
export function classifyAddress(ip: string): AddressClassification {
  const parsed = parseIpLiteral(ip);
  if (!parsed) return { allowed: false, reason: "invalid" };
  const kind = classOf(unwrapMapped(parsed));
  return kind === "public" ? { allowed: true } : { allowed: false, reason: kind };
}

interface AllowEntry {
  text: string;
  range: [IpAddress, number];
}

function parseAllowEntry(entry: string): AllowEntry {
  const text = entry.trim();
  try {
    if (text.includes("/")) {
      const [address, bits] = ipaddr.parseCIDR(text);
      const unwrapped = unwrapMapped(address);
      const mapped = unwrapped.kind() !== address.kind() && bits >= 96;
      return { text, range: mapped ? [unwrapped, bits - 96] : [address, bits] };
    }
    const address = parseIpLiteral(text);
    if (!address) throw new Error("not an address");
    const unwrapped = unwrapMapped(address);
    return { text, range: [unwrapped, unwrapped.kind() === "ipv4" ? 32 : 128] };
  } catch {
    throw new Error(`OUTBOUND_ALLOW_CIDRS: "${text}" is not an IP address or CIDR range`);
  }
}

function inRange(address: IpAddress, [base, bits]: [IpAddress, number]): boolean {
  return address.kind() === base.kind() && address.match(base, bits);
}

/** A policy that refuses non-public addresses unless inside one of `allowCidrs`. */
export function createOutboundPolicy(options: { allowCidrs?: readonly string[] } = {}): OutboundPolicy {
  const entries = (options.allowCidrs ?? []).filter((entry) => entry.trim() !== "").map(parseAllowEntry);
  return {
    allowCidrs: entries.map((entry) => entry.text),
    check(address: string): AddressVerdict {
      const parsed = parseIpLiteral(address);
      if (!parsed) return { address, allowed: false, reason: "invalid" };
      const unwrapped = unwrapMapped(parsed);
      const canonical = unwrapped.toString();
      const classification = classifyAddress(canonical);
      if (classification.allowed) return { address: canonical, allowed: true };
      const admitted = entries.find((entry) => inRange(unwrapped, entry.range));
      return admitted
        ? { address: canonical, allowed: true, reason: classification.reason, allowedBy: admitted.text }
        : { address: canonical, ...classification };
    },
  };
}

/** The policy configured by `OUTBOUND_ALLOW_CIDRS` (comma-separated). */
export function outboundPolicyFromEnv(value: string | undefined = process.env.OUTBOUND_ALLOW_CIDRS): OutboundPolicy {
  return createOutboundPolicy({ allowCidrs: (value ?? "").split(",") });
}

/**
 * Refused addresses by class and count ("a private address", "2 loopback or metadata
 * addresses"), never the addresses: a message naming what an internal name resolves to would
 * make Test Connection and the webhook check an oracle for the internal DNS (issue 16).
 */
export function refusedAddressesText(verdicts: readonly AddressVerdict[]): string {
  const classes = [...new Set(verdicts.map((verdict) => verdict.reason ?? "invalid"))];
  const n = verdicts.length;
  const article = /^[aeiou]/.test(classes[0] ?? "") ? "an" : "a";
  return `${n === 1 ? article : n} ${classes.join(" or ")} address${n === 1 ? "" : "es"}`;
}
