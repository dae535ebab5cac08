import { describe, expect, it } from "vitest";
import { connectionInputFromCredentials } from "../binding";

describe("a custom registry with only a token", () => {
  it("is tested as an identity token (Docker's <token> user), not refused for a missing username", () => {
    const input = connectionInputFromCredentials("custom", { url: "registry.example.test", token: "tok-123456" });
    expect(input.username).toBe("<token>");
    expect(input.password).toBe("tok-123456");
  });
  it("keeps username + token and username + password as given", () => {
    expect(connectionInputFromCredentials("custom", { url: "r.example.test", username: "u", token: "t" })).toMatchObject({ username: "u", password: "t" });
    expect(connectionInputFromCredentials("harbor", { url: "r.example.test", username: "robot$ci", password: "p" })).toMatchObject({ username: "robot$ci", password: "p" });
  });
});
