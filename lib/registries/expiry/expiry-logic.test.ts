/** Expiry states with a fixed clock, and the providers' answers. */
import { describe, expect, it } from "vitest";
import { parseGithubExpiration, readGithubAnswer, readGitlabAnswer } from "./provider-answers";
import { EXPIRING_WINDOW_MS, expiryStateOf } from "./state";

const now = new Date("2026-06-01T12:00:00Z");
const plus = (ms: number) => new Date(now.getTime() + ms);

describe("expiryStateOf", () => {
  it("is none without a date", () => {
    expect(expiryStateOf(null, now)).toBe("none");
    expect(expiryStateOf(undefined, now)).toBe("none");
  });
  it("is valid until 14 days before, expiring within them, expired from the time on", () => {
    expect(expiryStateOf(plus(EXPIRING_WINDOW_MS + 1), now)).toBe("valid");
    expect(expiryStateOf(plus(EXPIRING_WINDOW_MS), now)).toBe("expiring");
    expect(expiryStateOf(plus(1), now)).toBe("expiring");
    expect(expiryStateOf(now, now)).toBe("expired");
    expect(expiryStateOf(plus(-1), now)).toBe("expired");
    expect(expiryStateOf("2020-01-01T00:00:00Z", now)).toBe("expired");
  });
  it("moves as the clock moves", () => {
    const at = new Date("2026-06-20T00:00:00Z");
    expect(expiryStateOf(at, new Date("2026-06-01T00:00:00Z"))).toBe("valid");
    expect(expiryStateOf(at, new Date("2026-06-06T00:00:00Z"))).toBe("expiring");
    expect(expiryStateOf(at, new Date("2026-06-20T00:00:01Z"))).toBe("expired");
  });
});

describe("GitHub's GitHub-Authentication-Token-Expiration", () => {
  it.each([
    ["2026-12-31 12:00:00 UTC", "2026-12-31T12:00:00.000Z"],
    ["2026-12-31 12:00:00 +0000", "2026-12-31T12:00:00.000Z"],
    ["2026-12-31 12:00:00 -0700", "2026-12-31T19:00:00.000Z"],
    ["2026-12-31 12:00:00 +05:30", "2026-12-31T06:30:00.000Z"],
  ])("reads %s", (header, iso) => {
    expect(parseGithubExpiration(header)?.toISOString()).toBe(iso);
  });
  it("refuses other formats", () => {
    expect(parseGithubExpiration("next tuesday")).toBeNull();
    expect(readGithubAnswer(200, "soon")).toMatchObject({ ok: false });
  });
  it("no header on success means no expiry; 401 is a refused token", () => {
    expect(readGithubAnswer(200, undefined)).toEqual({ ok: true, expiresAt: null, message: "GitHub says the token does not expire" });
    expect(readGithubAnswer(401, undefined)).toMatchObject({ ok: false, message: expect.stringMatching(/refused/) });
  });
});

describe("GitLab's personal_access_tokens/self", () => {
  it("reads expires_at as 00:00 UTC of that day, and notes a missing read_registry scope", () => {
    expect(readGitlabAnswer(200, { expires_at: "2026-12-31", scopes: ["read_registry"], revoked: false })).toEqual({
      ok: true,
      expiresAt: new Date("2026-12-31T00:00:00Z"),
      message: "GitLab says the token expires at 2026-12-31T00:00:00.000Z.",
    });
    expect(readGitlabAnswer(200, { expires_at: "2026-12-31", scopes: ["read_api"], revoked: false })).toMatchObject({ message: expect.stringMatching(/lacks the read_registry/) });
  });
  it("null expires_at is no expiry; revoked is a failure", () => {
    expect(readGitlabAnswer(200, { expires_at: null, scopes: ["api"], revoked: false })).toMatchObject({ ok: true, expiresAt: null });
    expect(readGitlabAnswer(200, { expires_at: "2026-12-31", scopes: ["api"], revoked: true })).toEqual({ ok: false, message: "GitLab says the token is revoked" });
    expect(readGitlabAnswer(404, undefined)).toMatchObject({ ok: false });
  });
});
