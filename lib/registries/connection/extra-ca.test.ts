/**
 * NODE_EXTRA_CA_CERTS is trusted for every outbound TLS connection: alone, and beside a
 * registry's own CA (a `ca` option would otherwise replace Node's store, extra CAs included).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, afterEach, describe, expect, it } from "vitest";
import { createTestCa, issueServerCert, type TestCa } from "@/lib/testing/registry-certs";
import { startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import { Deadline } from "./deadline";
import { NetworkFailure } from "./network-errors";
import { createOutboundPolicy } from "./policy";
import { defaultLookup, request, type TransportSettings } from "./transport";

let dir: string;
let extraCa: TestCa;
let otherCa: TestCa;
let server: LoopbackServer;
const saved = process.env.NODE_EXTRA_CA_CERTS;

const settings = (caPem?: string): TransportSettings => ({
  policy: createOutboundPolicy({ allowCidrs: ["127.0.0.1/32"] }),
  lookup: defaultLookup,
  allowPlainHttp: false,
  insecureSkipVerify: false,
  deadline: new Deadline(5_000),
  ...(caPem ? { caPem } : {}),
});
const get = (caPem?: string) => request({ method: "GET", url: new URL(`https://${server.host}/v2/`) }, settings(caPem));

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "berth-extra-ca-"));
  extraCa = createTestCa(dir, "extra");
  otherCa = createTestCa(dir, "other");
  const cert = issueServerCert(extraCa, dir, "server");
  server = await startHttpServer((_req, res) => res.end("{}"), { tls: { cert: cert.certPem, key: cert.keyPem } });
});
afterEach(() => {
  if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
  else process.env.NODE_EXTRA_CA_CERTS = saved;
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("NODE_EXTRA_CA_CERTS", () => {
  it("is not trusted when unset: the certificate is refused", async () => {
    delete process.env.NODE_EXTRA_CA_CERTS;
    const failure = await get().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NetworkFailure);
    expect((failure as NetworkFailure).status).toBe("tls_untrusted");
  });

  it("is trusted alone, and next to a registry's own CA", async () => {
    process.env.NODE_EXTRA_CA_CERTS = extraCa.certPath;
    expect((await get()).status).toBe(200);
    expect((await get(otherCa.certPem)).status).toBe(200);
  });

  it("an unreadable file is ignored (as Node does), not an error", async () => {
    process.env.NODE_EXTRA_CA_CERTS = path.join(dir, "missing.pem");
    expect(((await get().catch((error: unknown) => error)) as NetworkFailure).status).toBe("tls_untrusted");
    expect((await get(extraCa.certPem)).status).toBe(200);
  });
});
