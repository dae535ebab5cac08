import { describe, expect, it } from "vitest";
import { oidcEmail } from "./oidc";

describe("OIDC sign-in", () => {
  it("accepts an email the provider says is verified", () => {
    expect(oidcEmail({ email: "a@example.test", email_verified: true })).toBe("a@example.test");
  });

  it("refuses an email whose email_verified claim is missing, false or not the boolean true", () => {
    for (const claim of [undefined, false, "true", 1, null, "false"]) {
      expect(oidcEmail({ email: "a@example.test", ...(claim === undefined ? {} : { email_verified: claim }) }), String(claim)).toBeNull();
    }
  });

  it("refuses a profile without an email", () => {
    expect(oidcEmail({ email_verified: true })).toBeNull();
    expect(oidcEmail({ email: "", email_verified: true })).toBeNull();
    expect(oidcEmail(undefined)).toBeNull();
  });
});
