import { describe, expect, it } from "vitest";
import { MAX_ALLOWLIST, addressInCidrs, normalizeCidr } from "@/lib/cidr";
import { PEER_HEADER, clientAddress } from "@/lib/client-address";

// Unit tests of lib/client-address.ts and lib/cidr.ts (kept under lib/auth with the identity tests).

const h = (peer: string | null, xff?: string) => {
  const headers = new Headers();
  if (peer !== null) headers.set(PEER_HEADER, peer);
  if (xff !== undefined) headers.set("x-forwarded-for", xff);
  return headers;
};

describe("clientAddress and BERTH_TRUSTED_PROXIES", () => {
  const TRUSTED = ["10.0.0.0/8", "fd00::/8"];

  it.each([
    // [peer, X-Forwarded-For, trusted proxies, expected caller]
    { why: "no trusted proxies: the peer, X-Forwarded-For ignored", peer: "203.0.113.9", xff: "198.51.100.1", trusted: [], want: "203.0.113.9" },
    { why: "an untrusted peer's X-Forwarded-For is ignored", peer: "203.0.113.9", xff: "198.51.100.1", trusted: TRUSTED, want: "203.0.113.9" },
    { why: "a trusted peer: the hop before it", peer: "10.0.0.2", xff: "198.51.100.1", trusted: TRUSTED, want: "198.51.100.1" },
    { why: "a spoofed left-most hop is not believed", peer: "10.0.0.2", xff: "6.6.6.6, 198.51.100.1", trusted: TRUSTED, want: "198.51.100.1" },
    { why: "trusted hops are skipped from the right", peer: "10.0.0.2", xff: "198.51.100.1, 10.9.9.9, 10.0.0.3", trusted: TRUSTED, want: "198.51.100.1" },
    { why: "all hops trusted: the left-most", peer: "10.0.0.2", xff: "10.1.1.1, 10.0.0.3", trusted: TRUSTED, want: "10.1.1.1" },
    { why: "a trusted peer without X-Forwarded-For: the peer", peer: "10.0.0.2", xff: undefined, trusted: TRUSTED, want: "10.0.0.2" },
    { why: "a garbage hop stops the walk at the peer", peer: "10.0.0.2", xff: "198.51.100.1, not-an-ip", trusted: TRUSTED, want: "10.0.0.2" },
    { why: "IPv6 proxies and clients", peer: "fd00::1", xff: "2001:db8::7", trusted: TRUSTED, want: "2001:db8::7" },
    { why: "an IPv4-mapped IPv6 peer is its IPv4 address", peer: "::ffff:10.0.0.2", xff: "198.51.100.1", trusted: TRUSTED, want: "198.51.100.1" },
    { why: "an IPv4-mapped untrusted peer is normalised", peer: "::ffff:203.0.113.9", xff: undefined, trusted: [], want: "203.0.113.9" },
    { why: "a bare-address trusted proxy", peer: "192.0.2.1", xff: "198.51.100.1", trusted: ["192.0.2.1/32"], want: "198.51.100.1" },
  ])("$why", ({ peer, xff, trusted, want }) => {
    expect(clientAddress(h(peer, xff), trusted)).toBe(want);
  });

  it("no peer header, or a malformed one, is no address (X-Forwarded-For alone is never believed)", () => {
    expect(clientAddress(h(null, "198.51.100.1"), TRUSTED)).toBeNull();
    expect(clientAddress(h("garbage", "198.51.100.1"), TRUSTED)).toBeNull();
  });
});

describe("CIDR allowlist entries", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["203.0.113.9", "203.0.113.9/32"],
    [" 2001:db8::/32 ", "2001:db8::/32"],
    ["2001:DB8::1", "2001:db8::1/128"],
  ])("normalises %j to %j", (entry, want) => {
    expect(normalizeCidr(entry)).toBe(want);
  });

  it.each(["", "10.0.0.0/33", "300.1.1.1", "example.com", "2001:db8::/129"])("refuses %j", (entry) => {
    expect(normalizeCidr(entry)).toBeNull();
  });

  it("matches addresses by family, bare entries exactly", () => {
    expect(addressInCidrs("10.200.1.1", ["10.0.0.0/8"])).toBe(true);
    expect(addressInCidrs("11.0.0.1", ["10.0.0.0/8"])).toBe(false);
    expect(addressInCidrs("203.0.113.9", ["203.0.113.9/32"])).toBe(true);
    expect(addressInCidrs("203.0.113.10", ["203.0.113.9/32"])).toBe(false);
    expect(addressInCidrs("2001:db8::5", ["2001:db8::/32"])).toBe(true);
    expect(addressInCidrs("2001:db9::5", ["2001:db8::/32", "10.0.0.0/8"])).toBe(false);
    expect(addressInCidrs("::ffff:10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(addressInCidrs("not-an-ip", ["0.0.0.0/0"])).toBe(false);
    expect(MAX_ALLOWLIST).toBe(25);
  });
});
