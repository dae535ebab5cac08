import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOciLayout, pushOciLayout } from "@/lib/testing/oci";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createOutboundPolicy } from "./policy";
import { testConnection } from "./test-connection";

const PASSWORD = "plain-http-Distinctive-Secret-2209";
const policy = createOutboundPolicy({ allowCidrs: ["127.0.0.1/32"] });

describe.skipIf(skipWithoutRegistryTools({ skopeo: true }))("plain-HTTP and anonymous registries", () => {
  let htpasswd: RunningRegistry;
  let open: RunningRegistry;

  beforeAll(async () => {
    [htpasswd, open] = await Promise.all([
      startRegistry({ auth: { type: "htpasswd", users: { erin: PASSWORD } } }),
      startRegistry({ auth: { type: "none" } }),
    ]);
    const layout = buildOciLayout({ tag: "1.0" });
    try {
      await pushOciLayout({ layout, registryHost: open.host, repository: "library/hello" });
    } finally {
      layout.remove();
    }
  });

  afterAll(async () => {
    await Promise.all([htpasswd?.stop(), open?.stop()]);
  });

  it("succeeds over plain HTTP when the registry is flagged plain HTTP", async () => {
    const result = await testConnection({ type: "custom", host: htpasswd.host, plainHttp: true, username: "erin", password: PASSWORD }, { policy });
    expect(result).toMatchObject({ ok: true, status: "success", details: { authScheme: "basic" } });
    expect(result.stages.map((stage) => stage.name)).not.toContain("tls");
    expect(result.warnings.some((warning) => warning.message.includes("Plain HTTP"))).toBe(true);
  });

  it("is tls_protocol for the same host without the plain-HTTP flag (never a silent downgrade)", async () => {
    const result = await testConnection({ type: "custom", host: htpasswd.host, plainHttp: false, username: "erin", password: PASSWORD }, { policy });
    expect(result).toMatchObject({ ok: false, status: "tls_protocol", stage: "tls" });
    expect(result.message).toContain("http://");
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it("accepts an http:// prefix together with the plain-HTTP flag", async () => {
    const result = await testConnection({ type: "custom", host: `http://${htpasswd.host}/`, plainHttp: true, username: "erin", password: PASSWORD }, { policy });
    expect(result.status).toBe("success");
  });

  it("is not_verified when credentials are given to a registry without auth", async () => {
    const result = await testConnection({ type: "custom", host: open.host, plainHttp: true, username: "erin", password: PASSWORD }, { policy });
    expect(result).toMatchObject({ ok: false, status: "not_verified", stage: "auth", details: { authScheme: "none", apiVersion: "registry/2.0" } });
    expect(result.message).toContain("not checked");
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it("is not_verified with an anonymous pull proven when an image is given", async () => {
    const result = await testConnection({ type: "custom", host: open.host, plainHttp: true, username: "erin", password: PASSWORD, image: "library/hello:1.0" }, { policy });
    expect(result).toMatchObject({ status: "not_verified", details: { pullVerified: true } });
  });

  it("is success for type public (no credentials needed)", async () => {
    const result = await testConnection({ type: "public", host: open.host, plainHttp: true }, { policy });
    expect(result).toMatchObject({ ok: true, status: "success", stage: "ping", details: { authScheme: "none" } });
    expect(result.message).toContain("needs no credentials");
  });

  it("pulls anonymously for type public with an image, and is forbidden for a missing one", async () => {
    const found = await testConnection({ type: "public", host: open.host, plainHttp: true, image: "library/hello:1.0" }, { policy });
    expect(found).toMatchObject({ status: "success", stage: "pull", details: { pullVerified: true } });
    const missing = await testConnection({ type: "public", host: open.host, plainHttp: true, image: "library/nothing:1.0" }, { policy });
    expect(missing).toMatchObject({ status: "forbidden", stage: "pull", details: { httpStatus: 404 } });
  });

  it("is invalid_credentials for type public against a registry that requires Basic", async () => {
    const result = await testConnection({ type: "public", host: htpasswd.host, plainHttp: true }, { policy });
    expect(result).toMatchObject({ status: "invalid_credentials", stage: "auth" });
    expect(result.message).toContain("requires a username and password");
  });
});
