/**
 * The outbound policy end to end, with loopback addresses only: with
 * 127.0.0.1/32 allowed, every other internal address is refused before any
 * connection is made (the listeners below must see none).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConnectionCounter, startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import { createOutboundPolicy } from "./policy";
import { testConnection } from "./test-connection";
import type { ConnectionInput, LookupFunction } from "./types";

const PASSWORD = "policy-Distinctive-Secret-3391";
const policy = createOutboundPolicy({ allowCidrs: ["127.0.0.1/32"] });

const input = (host: string, overrides: Partial<ConnectionInput> = {}): ConnectionInput => ({
  type: "custom",
  host,
  plainHttp: true,
  username: "grace",
  password: PASSWORD,
  ...overrides,
});

describe("outbound policy end to end", () => {
  let onSecondLoopback: LoopbackServer;
  let onIpv6Loopback: LoopbackServer;
  let onFirstLoopback: LoopbackServer;
  const servers: LoopbackServer[] = [];

  beforeAll(async () => {
    onSecondLoopback = await startConnectionCounter("127.0.0.2");
    onIpv6Loopback = await startConnectionCounter("::1");
    onFirstLoopback = await startConnectionCounter("127.0.0.1");
    servers.push(onSecondLoopback, onIpv6Loopback, onFirstLoopback);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    expect(onSecondLoopback.connections()).toBe(0);
    expect(onIpv6Loopback.connections()).toBe(0);
    expect(onFirstLoopback.connections()).toBe(0);
  });

  async function expectBlocked(entry: ConnectionInput, options: { lookup?: LookupFunction; stage?: string; allow?: string[] } = {}) {
    const result = await testConnection(entry, { policy: options.allow ? createOutboundPolicy({ allowCidrs: options.allow }) : policy, lookup: options.lookup });
    expect(result).toMatchObject({ ok: false, status: "blocked_by_policy", stage: options.stage ?? "policy" });
    expect(result.message).toContain("OUTBOUND_ALLOW_CIDRS");
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(onSecondLoopback.connections()).toBe(0);
    expect(onIpv6Loopback.connections()).toBe(0);
    return result;
  }

  it("refuses a registry on 127.0.0.2", async () => {
    const result = await expectBlocked(input(`127.0.0.2:${onSecondLoopback.port}`));
    expect(result.message).toContain("127.0.0.2 is a loopback address");
    expect(result.stages.map((stage) => stage.name)).toEqual(["format", "dns", "policy"]);
  });

  it("refuses a registry on [::1]", async () => {
    await expectBlocked(input(`[::1]:${onIpv6Loopback.port}`));
  });

  it("refuses a registry on [::ffff:127.0.0.2] (IPv4-mapped)", async () => {
    await expectBlocked(input(`[::ffff:127.0.0.2]:${onSecondLoopback.port}`));
  });

  it("refuses numeric, hex and octal spellings of loopback when nothing is allowed", async () => {
    for (const host of ["2130706433", "0x7f000001", "0177.0.0.1", "127.1"]) {
      await expectBlocked(input(`${host}:${onFirstLoopback.port}`), { allow: [] });
    }
    expect(onFirstLoopback.connections()).toBe(0);
  });

  it("refuses a name that resolves to 127.0.0.2 (injected resolver)", async () => {
    const asked: string[] = [];
    const lookup: LookupFunction = async (hostname) => {
      asked.push(hostname);
      return [{ address: "127.0.0.2", family: 4 }];
    };
    const result = await expectBlocked(input(`rebind.berth-test.invalid:${onSecondLoopback.port}`), { lookup });
    expect(asked).toEqual(["rebind.berth-test.invalid"]);
    // What the name resolved to is not shown (policy-oracle.test.ts): only its class.
    expect(result.stages.find((stage) => stage.name === "dns")).toMatchObject({ ok: true, detail: "a loopback address (not shown)" });
    expect(JSON.stringify(result)).not.toContain("127.0.0.2");
  });

  it("refuses a redirect to 127.0.0.2", async () => {
    const redirecting = await startHttpServer((_req, res) => {
      res.writeHead(302, { Location: `http://127.0.0.2:${onSecondLoopback.port}/v2/` });
      res.end();
    });
    servers.push(redirecting);
    const result = await expectBlocked(input(redirecting.host), { stage: "ping" });
    expect(redirecting.requests).toHaveLength(1);
    expect(result.message).toContain("127.0.0.2");
  });

  it("refuses a token realm on 127.0.0.2 and never sends the credentials there", async () => {
    const challenging = await startHttpServer((_req, res) => {
      res.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://127.0.0.2:${onSecondLoopback.port}/token",service="evil"` });
      res.end("{}");
    });
    servers.push(challenging);
    const result = await expectBlocked(input(challenging.host), { stage: "token" });
    expect(result.details.realmHost).toBe(`127.0.0.2:${onSecondLoopback.port}`);
  });

  it("refuses a name that resolves to a mix of refused addresses only", async () => {
    const lookup: LookupFunction = async () => [
      { address: "::1", family: 6 },
      { address: "::ffff:127.0.0.2", family: 6 },
    ];
    const result = await expectBlocked(input(`mixed.berth-test.invalid:${onSecondLoopback.port}`), { lookup });
    expect(result.message).toContain("resolves to 2 loopback addresses");
    expect(JSON.stringify(result)).not.toContain("::1");
  });
});
