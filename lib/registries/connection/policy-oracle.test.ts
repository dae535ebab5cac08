/**
 * Issue 16, "a blocked address is an oracle": a refused policy stage must not tell the caller
 * what an internal name resolved to. Names are resolved through the resolver seam (no real DNS),
 * to loopback and private addresses; nothing connects to a refused address (the policy refuses
 * it first) and the only server is on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import { createOutboundPolicy } from "./policy";
import { testConnection } from "./test-connection";
import type { ConnectionInput, LookupFunction } from "./types";

const policy = createOutboundPolicy({ allowCidrs: ["127.0.0.1/32"] });
const input = (host: string): ConnectionInput => ({ type: "custom", host, plainHttp: true, username: "oracle", password: "oracle-Distinctive-Secret-7781" });
const resolvingTo = (...addresses: string[]): LookupFunction => async () => addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

/** Every spelling of an address that could give it away. */
function spellings(address: string): string[] {
  const out = [address];
  const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(address);
  if (v4) {
    const parts = address.split(".").map(Number);
    out.push(`::ffff:${address}`, parts.map((p) => p.toString(16).padStart(2, "0")).join(""), String(((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!));
  }
  return out;
}

describe("a refused address is not shown", () => {
  let registry: LoopbackServer;

  beforeAll(async () => {
    registry = await startHttpServer((_req, res) => {
      res.writeHead(200, { "Docker-Distribution-API-Version": "registry/2.0", "Content-Type": "application/json" });
      res.end("{}");
    });
  });

  afterAll(async () => {
    await registry.stop();
  });

  it.each([
    { why: "a loopback address", addresses: ["127.0.0.2"], klass: "loopback" },
    { why: "a private address", addresses: ["10.20.30.40"], klass: "private" },
    { why: "a link-local IPv6 and a private IPv4 address", addresses: ["fe80::1234:5678", "192.168.77.66"], klass: "private" },
    { why: "a metadata address", addresses: ["169.254.169.254"], klass: "metadata" },
    { why: "an IPv4-mapped private address", addresses: ["::ffff:172.16.99.88"], klass: "private" },
  ])("a name resolving to $why is refused without the address in the result", async ({ addresses, klass }) => {
    const result = await testConnection(input("internal.berth-test.invalid:5000"), { policy, lookup: resolvingTo(...addresses) });
    expect(result).toMatchObject({ ok: false, status: "blocked_by_policy", stage: "policy" });
    expect(result.message).toContain(`internal.berth-test.invalid resolves to`);
    expect(result.message).toContain(klass);
    const text = JSON.stringify(result);
    for (const address of addresses) {
      for (const spelling of [...spellings(address), ...spellings(address.replace(/^::ffff:/, ""))]) expect(text).not.toContain(spelling);
    }
  });

  it("a name resolving to an allowed and a refused address connects to the allowed one and hides the other", async () => {
    const result = await testConnection(input(`mixed.berth-test.invalid:${registry.port}`), { policy, lookup: resolvingTo("10.66.77.88", "127.0.0.1") });
    const text = JSON.stringify(result);
    // Reached (anonymously: the credentials were not asked for), through 127.0.0.1.
    expect(result, text).toMatchObject({ status: "not_verified", details: { address: "127.0.0.1" } });
    expect(text).toContain("127.0.0.1");
    expect(text).not.toContain("10.66.77.88");
    expect(result.stages.find((stage) => stage.name === "dns")?.detail).toContain("private");
  });

  it("an address typed as the host is the caller's own input: it may be named", async () => {
    const result = await testConnection(input("10.1.1.1:5000"), { policy });
    expect(result).toMatchObject({ status: "blocked_by_policy" });
    expect(result.message).toContain("10.1.1.1 is a private address");
  });
});
