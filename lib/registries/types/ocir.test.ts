import { describe, expect, it } from "vitest";
import { bindingOf, connectionInputFromCredentials, credentialPathOf } from "../binding";
import { hostWarning, realmRefusal } from "../connection/hints";
import { registryFixture } from "../fixtures";
import { parseCreateRegistryBody } from "../generic-body";
import { createRegistrySchema, parseRegistryInput } from "../schemas";
import { dockerConfigKeyOf, getRegistryType } from ".";

const body = (credentials: Record<string, unknown>) => ({ name: "OCIR", type: "ocir", credentials });

describe("Oracle Cloud Infrastructure Registry", () => {
  it("is in the index, with its label, icon and fields in form order", () => {
    const type = getRegistryType("ocir");
    expect(type.label).toBe("Oracle Cloud Infrastructure Registry");
    expect(type.icon).toBe("oracle");
    expect(type.fields.map((f) => [f.name, f.required])).toEqual([
      ["loginServer", true],
      ["username", true],
      ["token", true],
    ]);
  });

  it("accepts its fixture with no warning and binds it to the login server", () => {
    const result = parseRegistryInput(createRegistrySchema, registryFixture("ocir"));
    expect(result).toMatchObject({ ok: true, warnings: [] });
    if (!result.ok) return;
    expect(bindingOf("ocir", result.data.credentials)).toMatchObject({ url: "iad.ocir.io", plainHttp: false });
  });

  it("normalises the login server, refuses a path or port, and warns about conventions", () => {
    const typed = parseRegistryInput(createRegistrySchema, body({ loginServer: "https://FRA.ocir.io/", username: "ns/u", token: "t" }));
    expect(typed).toMatchObject({ ok: true, data: { credentials: { loginServer: "fra.ocir.io" } }, warnings: [] });
    const withPath = parseRegistryInput(createRegistrySchema, body({ loginServer: "iad.ocir.io/ns", username: "ns/u", token: "t" }));
    expect(withPath).toMatchObject({ ok: false, errors: [{ path: "credentials.loginServer" }] });
    const unusual = parseRegistryInput(createRegistrySchema, body({ loginServer: "registry.example.com", username: "jane", token: "t" }));
    expect(unusual).toMatchObject({
      ok: true,
      warnings: [
        { path: "credentials.loginServer", message: expect.stringContaining("REGION-KEY.ocir.io") },
        { path: "credentials.username", message: expect.stringContaining("TENANCY-NAMESPACE/USER") },
      ],
    });
    const federated = parseRegistryInput(createRegistrySchema, body({ loginServer: "iad.ocir.io", username: "ns/oracleidentitycloudservice/jane@example.com", token: "t" }));
    expect(federated).toMatchObject({ ok: true, warnings: [] });
  });

  it("signs in with the username and the auth token", () => {
    const credentials = { loginServer: "iad.ocir.io", username: "ns/jane", token: "auth-token" };
    expect(connectionInputFromCredentials("ocir", credentials)).toEqual({ type: "ocir", host: "iad.ocir.io", plainHttp: false, username: "ns/jane", password: "auth-token" });
    expect(credentialPathOf("ocir", credentials, "password")).toBe("credentials.token");
    expect(credentialPathOf("ocir", credentials, "url")).toBe("credentials.loginServer");
  });

  it("maps the generic body by host: host → loginServer, password or token → token", () => {
    expect(parseCreateRegistryBody({ name: "OCIR", url: "iad.ocir.io", username: "ns/jane", password: "auth-token" })).toMatchObject({
      ok: true,
      data: { type: "ocir", credentials: { loginServer: "iad.ocir.io", username: "ns/jane", token: "auth-token" } },
    });
    expect(parseCreateRegistryBody({ name: "OCIR", url: "iad.ocir.io", username: "ns/jane", token: "auth-token" })).toMatchObject({ ok: true, data: { type: "ocir" } });
    // A path prefix: OCIR has no URL field, so the body stays custom.
    expect(parseCreateRegistryBody({ name: "OCIR", url: "iad.ocir.io/ns/app", username: "ns/jane", password: "p" })).toMatchObject({ ok: true, data: { type: "custom" } });
  });

  it("expects its token service on the login server itself", () => {
    expect(realmRefusal("ocir", "iad.ocir.io", "iad.ocir.io")).toBeUndefined();
    expect(realmRefusal("ocir", "iad.ocir.io", "auth.evil.example")).toContain("iad.ocir.io");
    expect(hostWarning("ocir", "registry.example.com")).toContain("ocir.io");
    expect(dockerConfigKeyOf("ocir", "iad.ocir.io")).toBe("iad.ocir.io");
  });
});
