import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createTestCa, type TestCa } from "@/lib/testing/registry-certs";
import { createOutboundPolicy } from "./policy";
import { testConnection } from "./test-connection";
import type { ConnectionInput, TestResult } from "./types";

const PASSWORD = "Zq7-unique-htpasswd-secret-91xK";
const policy = createOutboundPolicy({ allowCidrs: ["127.0.0.1/32"] });

function expectNoSecret(result: TestResult, secret: string, username = "alice"): void {
  const json = JSON.stringify(result);
  expect(json).not.toContain(secret);
  expect(json).not.toContain(Buffer.from(`${username}:${secret}`).toString("base64"));
}

describe.skipIf(skipWithoutRegistryTools())("htpasswd registry over TLS", () => {
  let dir: string;
  let ca: TestCa;
  let registry: RunningRegistry;
  let mismatched: RunningRegistry;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "berth-tls-test-"));
    ca = createTestCa(dir);
    const auth = { type: "htpasswd" as const, users: { alice: PASSWORD } };
    [registry, mismatched] = await Promise.all([
      startRegistry({ auth, tls: { ca } }),
      startRegistry({ auth, tls: { ca, sans: ["DNS:registry.other.invalid"] } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([registry?.stop(), mismatched?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const input = (overrides: Partial<ConnectionInput> = {}): ConnectionInput => ({
    type: "custom",
    host: registry.host,
    plainHttp: false,
    username: "alice",
    password: PASSWORD,
    ...overrides,
  });

  it("succeeds with the registry's CA", async () => {
    const result = await testConnection(input({ caCertificate: ca.certPem }), { policy });
    expect(result).toMatchObject({ ok: true, status: "success", stage: "auth", details: { authScheme: "basic", address: "127.0.0.1" } });
    expect(result.stages.map((stage) => stage.name)).toEqual(["format", "dns", "policy", "tcp", "tls", "ping", "challenge", "auth"]);
    expect(result.stages.every((stage) => stage.ok)).toBe(true);
    expect(result.message).toContain("Signed in to 127.0.0.1");
    expect(result.details.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expectNoSecret(result, PASSWORD);
  });

  it("is tls_untrusted without the CA", async () => {
    const result = await testConnection(input(), { policy });
    expect(result).toMatchObject({ ok: false, status: "tls_untrusted", stage: "tls" });
    expect(result.message).toMatch(/CA certificate/);
    expect(result.stages.at(-1)).toMatchObject({ name: "tls", ok: false });
    expectNoSecret(result, PASSWORD);
  });

  it("succeeds with insecureSkipVerify, with a warning", async () => {
    const result = await testConnection(input({ insecureSkipVerify: true }), { policy });
    expect(result.status).toBe("success");
    expect(result.warnings.map((warning) => warning.path)).toContain("insecureSkipVerify");
    expect(result.stages.find((stage) => stage.name === "tls")?.detail).toContain("verification skipped");
  });

  it("is tls_hostname_mismatch for a certificate issued to another name", async () => {
    const result = await testConnection(input({ host: mismatched.host, caCertificate: ca.certPem }), { policy });
    expect(result).toMatchObject({ status: "tls_hostname_mismatch", stage: "tls", details: { networkCode: "ERR_TLS_CERT_ALTNAME_INVALID" } });
  });

  it("is invalid_credentials for a wrong password, with the type's hint and no secret", async () => {
    const wrong = "Wrong-But-Distinctive-Pa55word-Qx";
    const result = await testConnection(input({ type: "harbor", password: wrong, caCertificate: ca.certPem }), { policy });
    expect(result).toMatchObject({ ok: false, status: "invalid_credentials", stage: "auth", details: { httpStatus: 401 } });
    expect(result.message).toContain("robot$");
    expectNoSecret(result, wrong);
  });

  it("is tls_protocol when plain HTTP is sent to the TLS port", async () => {
    const result = await testConnection(input({ plainHttp: true }), { policy });
    expect(result).toMatchObject({ status: "tls_protocol", stage: "ping" });
    expect(result.warnings.some((warning) => /Credentials are sent in the clear/.test(warning.message))).toBe(true);
  });
});
