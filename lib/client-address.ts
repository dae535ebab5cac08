import { addressInCidrs, parseAddress } from "./cidr";
import { PEER_HEADER, readStampedPeer, stampedPeer } from "./server/peer-stamp.mjs";

/**
 * Header set by lib/server/peer-stamp.mjs from the TCP peer (`ADDRESS MARK`); any client-sent
 * value is overwritten, and one that got through unstamped has no valid mark and is ignored.
 */
export { PEER_HEADER, stampedPeer };

/**
 * The caller's address: the TCP peer, unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is read from the right, skipping trusted proxies, to the first other hop.
 * Null when the peer header is missing or was not written by this process's stamp: then a
 * token with a CIDR allowlist is refused, sign-in counts under a shared "unknown" address and
 * the audit log records no address.
 */
export function clientAddress(headers: Headers, trustedProxies: readonly string[]): string | null {
  const peer = readStampedPeer(headers.get(PEER_HEADER));
  if (!peer || !parseAddress(peer)) return null;
  if (trustedProxies.length === 0 || !addressInCidrs(peer, trustedProxies)) return normalize(peer);
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!parseAddress(hop)) return normalize(peer);
    if (!addressInCidrs(hop, trustedProxies)) return normalize(hop);
  }
  return normalize(hops[0] ?? peer);
}

function normalize(ip: string): string {
  return parseAddress(ip)?.toString() ?? ip;
}
