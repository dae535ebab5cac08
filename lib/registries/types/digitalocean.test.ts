import { describe, expect, it } from "vitest";
import { bindingOf, connectionInputFromCredentials, credentialPathOf } from "../binding";
import { realmRefusal } from "../connection/hints";
import { registryFixture } from "../fixtures";
import { parseCreateRegistryBody } from "../generic-body";
import { createRegistrySchema, parseRegistryInput } from "../schemas";
import { dockerConfigKeyOf, getRegistryType } from ".";

const TOKEN = "dop_v1_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000";

describe("DigitalOcean Container Registry", () => {
  it("is in the index, with its label, icon and field", () => {
    const type = getRegistryType("digitalocean");
    expect(type.label).toBe("DigitalOcean Container Registry");
    expect(type.icon).toBe("digitalocean");
    expect(type.fields.map((f) => [f.name, f.required])).toEqual([
      ["token", true],
      ["url", false],
    ]);
  });

  it("accepts its fixture with no warning and binds it to the registry path", () => {
    const result = parseRegistryInput(createRegistrySchema, registryFixture("digitalocean"));
    expect(result).toMatchObject({ ok: true, warnings: [] });
    if (!result.ok) return;
    expect(bindingOf("digitalocean", result.data.credentials)).toMatchObject({ url: "registry.digitalocean.com/berth-fixture", plainHttp: false });
    expect(bindingOf("digitalocean", { token: TOKEN }).url).toBe("registry.digitalocean.com");
  });

  it("refuses a URL on another host, and warns about a token without the dop_v1_ prefix", () => {
    const elsewhere = parseRegistryInput(createRegistrySchema, { name: "x", type: "digitalocean", credentials: { token: TOKEN, url: "registry.example.com/x" } });
    expect(elsewhere).toMatchObject({ ok: false, errors: [{ path: "credentials.url", message: expect.stringContaining("registry.digitalocean.com") }] });
    const unusual = parseRegistryInput(createRegistrySchema, { name: "x", type: "digitalocean", credentials: { token: "abcdef" } });
    expect(unusual).toMatchObject({ ok: true, warnings: [{ path: "credentials.token", message: expect.stringContaining("dop_v1_") }] });
    const missing = parseRegistryInput(createRegistrySchema, { name: "x", type: "digitalocean", credentials: {} });
    expect(missing).toMatchObject({ ok: false, errors: [{ path: "credentials.token", message: "Required" }] });
  });

  it("signs in with the token as both the username and the password", () => {
    expect(connectionInputFromCredentials("digitalocean", { token: TOKEN })).toEqual({
      type: "digitalocean",
      host: "registry.digitalocean.com",
      plainHttp: false,
      username: TOKEN,
      password: TOKEN,
    });
    // Both engine fields are the token field of the body.
    expect(credentialPathOf("digitalocean", { token: TOKEN }, "username")).toBe("credentials.token");
    expect(credentialPathOf("digitalocean", { token: TOKEN }, "password")).toBe("credentials.token");
  });

  it("maps the generic body by host, ignoring its username", () => {
    const result = parseCreateRegistryBody({ name: "DO", url: "registry.digitalocean.com/acme", username: "anything", password: TOKEN });
    expect(result).toMatchObject({ ok: true, data: { type: "digitalocean", credentials: { token: TOKEN, url: "registry.digitalocean.com/acme" } } });
    const viaToken = parseCreateRegistryBody({ name: "DO", url: "registry.digitalocean.com", token: TOKEN });
    expect(viaToken).toMatchObject({ ok: true, data: { type: "digitalocean", credentials: { token: TOKEN } } });
    // Without a token it is not a DigitalOcean body: custom, which then wants its own fields.
    expect(parseCreateRegistryBody({ name: "DO", url: "registry.digitalocean.com", username: "u" })).toMatchObject({ ok: false });
  });

  it("expects its token service at api.digitalocean.com", () => {
    expect(realmRefusal("digitalocean", "registry.digitalocean.com", "api.digitalocean.com")).toBeUndefined();
    expect(realmRefusal("digitalocean", "registry.digitalocean.com", "auth.evil.example")).toContain("api.digitalocean.com");
  });

  it("keys .dockerconfigjson by host and path", () => {
    expect(dockerConfigKeyOf("digitalocean", "registry.digitalocean.com/acme")).toBe("registry.digitalocean.com/acme");
  });
});
