import { addressInCidrs, parseAddress } from "./cidr";

/** Header set by lib/server/peer-address.ts from the TCP peer; any client-sent value is overwritten. */
export const PEER_HEADER = "x-berth-peer";

/**
 * The caller's address: the TCP peer, unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is read from the right, skipping trusted proxies, to the first other hop.
 */
export function clientAddress(headers: Headers, trustedProxies: readonly string[]): string | null {
  const peer = headers.get(PEER_HEADER);
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
