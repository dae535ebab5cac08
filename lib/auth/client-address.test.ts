import { describe, expect, it } from "vitest";
import { MAX_ALLOWLIST, addressInCidrs, normalizeCidr } from "@/lib/cidr";
import { PEER_HEADER, clientAddress, stampedPeer } from "@/lib/client-address";

// Unit tests of lib/client-address.ts and lib/cidr.ts (kept under lib/auth with the identity tests).

/** Headers as the stamp leaves them for a TCP peer `peer`. */
const h = (peer: string | null, xff?: string) => {
  const headers = new Headers();
  if (peer !== null) headers.set(PEER_HEADER, stampedPeer(peer));
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

describe("a peer header the stamp did not write is ignored (issue 16: forgeable while the server starts)", () => {
  const raw = (value: string, xff?: string) => new Headers({ [PEER_HEADER]: value, ...(xff ? { "x-forwarded-for": xff } : {}) });
  const good = stampedPeer("10.1.2.3");
  const mark = good.slice(good.indexOf(" ") + 1);

  it.each([
    { why: "a bare address, as a client would send it", value: "10.1.2.3" },
    { why: "an address with a made-up mark", value: "10.1.2.3 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
    { why: "another address with the mark of 10.1.2.3", value: `10.9.9.9 ${mark}` },
    { why: "the mark with a character changed", value: `10.1.2.3 ${mark.slice(0, -1)}${mark.endsWith("A") ? "B" : "A"}` },
    { why: "the mark cut short", value: `10.1.2.3 ${mark.slice(0, 20)}` },
    { why: "the mark and more", value: `${good} extra` },
    { why: "two values joined as Node joins a repeated header", value: `10.1.2.3, ${good}` },
    { why: "an overlong address part", value: `${"1".repeat(100)} ${mark}` },
  ])("$why", ({ value }) => {
    expect(clientAddress(raw(value), [])).toBeNull();
    // Nor does an unmarked trusted-proxy peer make X-Forwarded-For believed.
    expect(clientAddress(raw(value, "10.1.2.3"), ["0.0.0.0/0"])).toBeNull();
  });

  it("the stamp's own value is read back, IPv4 and IPv6", () => {
    expect(clientAddress(raw(good), [])).toBe("10.1.2.3");
    expect(clientAddress(raw(stampedPeer("::1")), [])).toBe("::1");
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
