/** Classifier tests only: nothing here connects anywhere. */
import { describe, expect, it } from "vitest";
import { canonicalAddress, classifyAddress, createOutboundPolicy, outboundPolicyFromEnv, parseIpLiteral } from "./policy";

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["169.254.169.254", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["100.100.100.200", "metadata"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.254", "cgnat"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["::7f00:1", "reserved"],
    ["2002:7f00:1::", "reserved"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"],
    ["not-an-address", "invalid"],
  ])("refuses %s as %s", (address, reason) => {
    expect(classifyAddress(address)).toEqual({ allowed: false, reason });
  });

  it.each([
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:192.168.1.1", "private"],
    ["::ffff:100.64.0.1", "cgnat"],
    ["::ffff:0.0.0.0", "unspecified"],
    ["64:ff9b::7f00:1", "loopback"],
    ["64:ff9b::a00:1", "private"],
  ])("refuses the IPv6 form %s of a %s address", (address, reason) => {
    expect(classifyAddress(address)).toEqual({ allowed: false, reason });
  });

  it.each([
    ["2130706433", "loopback"],
    ["0x7f000001", "loopback"],
    ["0177.0.0.1", "loopback"],
    ["127.1", "loopback"],
    ["0x7f.1", "loopback"],
    ["017700000001", "loopback"],
    ["0xa9fea9fe", "metadata"],
    ["167772161", "private"],
  ])("reads %s the way a resolver does and refuses it as %s", (address, reason) => {
    expect(classifyAddress(address)).toEqual({ allowed: false, reason });
  });

  it.each(["8.8.8.8", "1.1.1.1", "140.82.112.33", "2606:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"])(
    "allows the public address %s",
    (address) => {
      expect(classifyAddress(address)).toEqual({ allowed: true });
    },
  );
});

describe("parseIpLiteral and canonicalAddress", () => {
  it("parses numeric forms to the dotted address", () => {
    expect(canonicalAddress("2130706433")).toBe("127.0.0.1");
    expect(canonicalAddress("0x7f000001")).toBe("127.0.0.1");
    expect(canonicalAddress("0177.0.0.1")).toBe("127.0.0.1");
    expect(canonicalAddress("[::ffff:127.0.0.2]")).toBe("127.0.0.2");
    expect(canonicalAddress("[::1]")).toBe("::1");
  });

  it("leaves host names alone", () => {
    expect(parseIpLiteral("registry.example.com")).toBeUndefined();
    expect(parseIpLiteral("08.1.1.1")).toBeUndefined();
    expect(parseIpLiteral("1.2.3.4.5")).toBeUndefined();
  });
});

describe("createOutboundPolicy", () => {
  const policy = createOutboundPolicy({ allowCidrs: ["127.0.0.1/32", "10.20.0.0/16", "fd00:1::/64", "192.168.5.5"] });

  it("allows what the allow-list names, saying which entry and what it is", () => {
    expect(policy.check("127.0.0.1")).toEqual({ address: "127.0.0.1", allowed: true, reason: "loopback", allowedBy: "127.0.0.1/32" });
    expect(policy.check("10.20.3.4")).toMatchObject({ allowed: true, allowedBy: "10.20.0.0/16" });
    expect(policy.check("fd00:1::5")).toMatchObject({ allowed: true, allowedBy: "fd00:1::/64" });
    expect(policy.check("192.168.5.5")).toMatchObject({ allowed: true, allowedBy: "192.168.5.5" });
  });

  it("treats an IPv4-mapped address like the IPv4 address it means", () => {
    expect(policy.check("::ffff:127.0.0.1")).toMatchObject({ address: "127.0.0.1", allowed: true });
    expect(policy.check("::ffff:127.0.0.2")).toEqual({ address: "127.0.0.2", allowed: false, reason: "loopback" });
  });

  it("refuses everything else that is internal", () => {
    expect(policy.check("127.0.0.2")).toEqual({ address: "127.0.0.2", allowed: false, reason: "loopback" });
    expect(policy.check("::1")).toMatchObject({ allowed: false, reason: "loopback" });
    expect(policy.check("10.21.0.1")).toMatchObject({ allowed: false, reason: "private" });
    expect(policy.check("192.168.5.6")).toMatchObject({ allowed: false, reason: "private" });
    expect(policy.check("169.254.169.254")).toMatchObject({ allowed: false, reason: "metadata" });
  });

  it("allows public addresses without an entry", () => {
    expect(policy.check("8.8.8.8")).toEqual({ address: "8.8.8.8", allowed: true });
  });

  it("accepts IPv4-mapped CIDRs", () => {
    expect(createOutboundPolicy({ allowCidrs: ["::ffff:127.0.0.0/104"] }).check("127.9.9.9")).toMatchObject({ allowed: true });
  });

  it("reads OUTBOUND_ALLOW_CIDRS (comma-separated, blanks ignored) and rejects garbage", () => {
    expect(outboundPolicyFromEnv(" 127.0.0.1/32 , ::1 ,").allowCidrs).toEqual(["127.0.0.1/32", "::1"]);
    expect(outboundPolicyFromEnv("").allowCidrs).toEqual([]);
    expect(() => createOutboundPolicy({ allowCidrs: ["localhost"] })).toThrow(/OUTBOUND_ALLOW_CIDRS: "localhost"/);
    expect(() => createOutboundPolicy({ allowCidrs: ["10.0.0.0/33"] })).toThrow(/not an IP address or CIDR/);
  });
});
