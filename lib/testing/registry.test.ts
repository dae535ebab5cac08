import http from "node:http";
import https from "node:https";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildOciLayout, pushOciLayout } from "./oci";
import { skipWithoutRegistryTools, startRegistry } from "./registry";
import { createTestCa } from "./registry-certs";
import { startTokenServer } from "./token-server";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(url: string, options: { caPem?: string; authorization?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith("https:") ? https : http;
    const headers = options.authorization ? { Authorization: options.authorization } : undefined;
    client
      .get(url, { ca: options.caPem, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on("error", reject);
  });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe.skipIf(skipWithoutRegistryTools({ skopeo: true }))("registry test harness", () => {
  it("starts an htpasswd registry over TLS that challenges with Basic, and stops it", async () => {
    const registry = await startRegistry({ auth: { type: "htpasswd", users: { alice: "wonderland" } }, tls: {} });
    try {
      expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(registry.caPem).toContain("BEGIN CERTIFICATE");
      const anonymous = await get(`${registry.url}/v2/`, { caPem: registry.caPem });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers["www-authenticate"]).toMatch(/^Basic realm="berth-test"/);
      const signedIn = await get(`${registry.url}/v2/`, { caPem: registry.caPem, authorization: basic("alice", "wonderland") });
      expect(signedIn.status).toBe(200);
    } finally {
      await registry.stop();
    }
    expect(existsSync(registry.dir)).toBe(false);
    // Nothing answers as a registry there any more: refused, or reset when another process on this
    // machine has meanwhile been given the freed port (the kernel reuses ephemeral ports).
    await expect(get(`${registry.url}/v2/`, { caPem: registry.caPem })).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET)$/) });
  });

  it("runs a token-auth registry whose token server issues JWTs the registry accepts; skopeo pushes an OCI layout", async () => {
    const caDir = mkdtempSync(path.join(os.tmpdir(), "berth-ca-"));
    const ca = createTestCa(caDir);
    const tokens = await startTokenServer({
      service: "harness-registry",
      issuer: "harness-issuer",
      users: { bob: "builder" },
      acl: { bob: { "*": ["pull", "push"] } },
      tls: { ca },
    });
    const registry = await startRegistry({
      auth: { type: "token", realm: tokens.realm, service: "harness-registry", issuer: "harness-issuer", rootCertBundlePem: tokens.signerCertPem },
      tls: { ca },
    });
    const layout = buildOciLayout({ tag: "v1" });
    try {
      const challenge = await get(`${registry.url}/v2/`, { caPem: ca.certPem });
      expect(challenge.status).toBe(401);
      expect(challenge.headers["www-authenticate"]).toContain(`realm="${tokens.realm}"`);

      await pushOciLayout({ layout, registryHost: registry.host, repository: "team/app", credentials: { username: "bob", password: "builder" }, caPem: ca.certPem });

      const tokenAnswer = await get(`${tokens.realm}?service=harness-registry&scope=repository:team/app:pull`, {
        caPem: ca.certPem,
        authorization: basic("bob", "builder"),
      });
      const token = (JSON.parse(tokenAnswer.body) as { token: string }).token;
      const tags = await get(`${registry.url}/v2/team/app/tags/list`, { caPem: ca.certPem, authorization: `Bearer ${token}` });
      expect(tags.status).toBe(200);
      expect(JSON.parse(tags.body)).toEqual({ name: "team/app", tags: ["v1"] });
    } finally {
      layout.remove();
      await registry.stop();
      await tokens.stop();
      rmSync(caDir, { recursive: true, force: true });
    }
  });
});
