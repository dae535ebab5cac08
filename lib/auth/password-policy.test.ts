import { describe, expect, it } from "vitest";
import { isCommonPassword, newPasswordSchema } from "./password-policy";
import { PASSWORD_MIN } from "./schemas";

const issues = (password: string, email?: string) => {
  const r = newPasswordSchema(email).safeParse(password);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe("new password rules", () => {
  it("needs at least 12 characters", () => {
    expect(PASSWORD_MIN).toBe(12);
    expect(issues("a7#kQ9!zL2m")).toEqual(["Use at least 12 characters"]);
    expect(issues("a7#kQ9!zL2mX")).toEqual([]);
  });

  it("refuses at most 256 characters", () => {
    expect(issues("x7".repeat(128))).toEqual([]);
    expect(issues("x7".repeat(128) + "y")).toEqual(["Use at most 256 characters"]);
  });

  it("refuses common passwords of any length, with case, trailing digits or a repetition changed", () => {
    for (const p of ["passwordpassword", "PasswordPassword", "qwertyuiop", "1q2w3e4r5t6y", "iloveyou1234", "Password123!", "monkeymonkey", "dragon2024!!"]) {
      expect(isCommonPassword(p), p).toBe(true);
    }
    expect(issues("qwertyuiop1234")).toEqual(["This password is too common: choose one that is harder to guess"]);
    expect(issues("1qaz2wsx3edc")).toEqual(["This password is too common: choose one that is harder to guess"]);
  });

  it("accepts passphrases and random passwords", () => {
    for (const p of ["correct-horse-battery-staple", "owner-password-1", "vX9#mq2!Lr4z", "plum tram ferry lantern"]) {
      expect(isCommonPassword(p), p).toBe(false);
      expect(issues(p)).toEqual([]);
    }
  });

  it("refuses the account's own email", () => {
    expect(issues("someone@example.test", "Someone@Example.test")).toEqual(["Do not use your email address as your password"]);
  });
});
