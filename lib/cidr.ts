import ipaddr from "ipaddr.js";

export const MAX_ALLOWLIST = 25;

/** Normalises one allowlist entry; a bare address means /32 (IPv4) or /128 (IPv6). */
export function normalizeCidr(entry: string): string | null {
  const raw = entry.trim();
  try {
    if (raw.includes("/")) {
      const [addr, bits] = ipaddr.parseCIDR(raw);
      // Incoming addresses are compared as IPv4 when they are IPv4-mapped; so are the entries.
      if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        return `${(addr as ipaddr.IPv6).toIPv4Address().toString()}/${bits - 96}`;
      }
      return `${addr.toString()}/${bits}`;
    }
    const addr = parseAddress(raw);
    return addr ? `${addr.toString()}/${addr.kind() === "ipv4" ? 32 : 128}` : null;
  } catch {
    return null;
  }
}

/** Parses an address, unwrapping IPv4-mapped IPv6 (`::ffff:1.2.3.4`) to IPv4. */
export function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    const addr = ipaddr.parse(ip.trim().replace(/^\[|\]$/g, ""));
    if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) return (addr as ipaddr.IPv6).toIPv4Address();
    return addr;
  } catch {
    return null;
  }
}

/** Whether `ip` lies inside any of the CIDRs. */
export function addressInCidrs(ip: string, cidrs: readonly string[]): boolean {
  const addr = parseAddress(ip);
  if (!addr) return false;
  for (const cidr of cidrs) {
    try {
      const [range, bits] = ipaddr.parseCIDR(cidr);
      if (range.kind() !== addr.kind()) continue;
      if (addr.match([range, bits] as [ipaddr.IPv4 | ipaddr.IPv6, number] as never)) return true;
    } catch {
      // an invalid entry never matches
    }
  }
  return false;
}
