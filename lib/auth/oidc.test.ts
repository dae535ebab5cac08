import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { insertUser } from "./users";
import { oidcEmail, oidcUser } from "./oidc";

let t: TestDb;
let user: { id: string; email: string };
beforeAll(async () => {
  t = await useTestDb();
  user = await insertUser(t.db, { email: "sso-user@example.test", password: "sso-user-password" });
});
afterAll(async () => {
  await t?.close();
});

describe("OIDC sign-in", () => {
  it("signs in as the existing user when the provider says the email is verified", async () => {
    expect(oidcEmail({ email: "a@example.test", email_verified: true })).toBe("a@example.test");
    expect(await oidcUser({ email: "SSO-User@Example.test", email_verified: true })).toEqual({ id: user.id, email: user.email });
  });

  it("refuses an existing user's email whose email_verified claim is missing, false or not the boolean true", async () => {
    for (const claim of [undefined, false, "true", 1, null, "false"]) {
      const profile = { email: user.email, ...(claim === undefined ? {} : { email_verified: claim }) };
      expect(oidcEmail(profile), String(claim)).toBeNull();
      expect(await oidcUser(profile), String(claim)).toBeNull();
    }
  });

  it("refuses a profile without an email, and an email no user has (OIDC creates no users)", async () => {
    expect(oidcEmail({ email_verified: true })).toBeNull();
    expect(oidcEmail({ email: "", email_verified: true })).toBeNull();
    expect(oidcEmail(undefined)).toBeNull();
    expect(await oidcUser({ email: "stranger@example.test", email_verified: true })).toBeNull();
  });
});
