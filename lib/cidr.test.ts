import { describe, expect, it } from "vitest";
import { addressInCidrs, normalizeCidr } from "./cidr";

describe("IPv4-mapped allowlist entries", () => {
  it("are stored as IPv4 so that they match the (unwrapped) caller address", () => {
    expect(normalizeCidr("::ffff:203.0.113.9")).toBe("203.0.113.9/32");
    expect(normalizeCidr("::ffff:203.0.113.0/120")).toBe("203.0.113.0/24");
    expect(addressInCidrs("203.0.113.9", [normalizeCidr("::ffff:203.0.113.9")!])).toBe(true);
    expect(addressInCidrs("::ffff:203.0.113.77", [normalizeCidr("::ffff:203.0.113.0/120")!])).toBe(true);
    expect(addressInCidrs("203.0.114.1", [normalizeCidr("::ffff:203.0.113.0/120")!])).toBe(false);
  });
});
