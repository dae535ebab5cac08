/**
 * The stamp on a real HTTP server on loopback: a client-sent `x-berth-peer` never survives, and
 * one that reaches the app before the stamp is installed (Next listens before the
 * instrumentation hook runs) is not believed. The order of the tests matters: the first runs
 * before this process has installed the stamp.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_HEADER, clientAddress } from "@/lib/client-address";
import { installPeerStamp, stampedPeer } from "./peer-stamp.mjs";

describe("the peer stamp", () => {
  let server: http.Server;
  let url = "";
  const seen: { header: string | undefined; address: string | null }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      seen.push({ header: req.headers[PEER_HEADER] as string | undefined, address: clientAddress(headers, []) });
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const forged = ["10.1.2.3", `10.1.2.3 ${"A".repeat(43)}`];

  it("before it is installed, a forged header is no address (fails closed)", async () => {
    seen.length = 0;
    for (const value of forged) await fetch(url, { headers: { [PEER_HEADER]: value } });
    expect(seen.map((entry) => entry.address)).toEqual([null, null]);
  });

  it("once installed, a forged header is replaced by the TCP peer", async () => {
    installPeerStamp();
    installPeerStamp(); // once per process, however often it is called
    seen.length = 0;
    for (const value of [...forged, stampedPeer("10.1.2.3")]) await fetch(url, { headers: { [PEER_HEADER]: value } });
    await fetch(url);
    expect(seen.map((entry) => entry.address)).toEqual(["127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1"]);
    expect(seen.every((entry) => entry.header?.startsWith("127.0.0.1 "))).toBe(true);
  });
});
