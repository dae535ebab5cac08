import "server-only";
import { dictionary } from "@zxcvbn-ts/language-common";
import { z } from "zod";
import { validationError } from "@/lib/errors";
import { passwordField } from "./schemas";

let common: Set<string> | undefined;

/** zxcvbn-ts' list of common passwords (about 49 000), lower-cased, loaded on first use. */
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common;
}

/**
 * True when a password is on the common list, as it is or once its case, its trailing digits and
 * symbols, or a repetition are taken away (`Password1234!`, `iloveyouiloveyou`).
 */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const lower = password.toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/u, "");
  const half = lower.length % 2 === 0 && lower.slice(0, lower.length / 2) === lower.slice(lower.length / 2) ? lower.slice(0, lower.length / 2) : "";
  return list.has(lower) || (stem.length >= 4 && list.has(stem)) || (half.length >= 4 && list.has(half));
}

export const COMMON_PASSWORD_MESSAGE = "This password is too common: choose one that is harder to guess";

/**
 * The rules for every new password, wherever it is set (setup, invitation, change, reset link,
 * CLI): 12 to 256 characters, not a common password, not the account's email.
 */
export function newPasswordSchema(email?: string) {
  return passwordField.superRefine((value, ctx) => {
    if (isCommonPassword(value)) ctx.addIssue({ code: "custom", message: COMMON_PASSWORD_MESSAGE });
    else if (email && value.trim().toLowerCase() === email.trim().toLowerCase()) ctx.addIssue({ code: "custom", message: "Do not use your email address as your password" });
  });
}

export type NewPassword = z.infer<ReturnType<typeof newPasswordSchema>>;

/** Checks a new password, or throws a 400 whose field error is on `field`. */
export function parseNewPassword(password: unknown, email?: string, field = "password"): string {
  const r = newPasswordSchema(email).safeParse(password);
  if (!r.success) throw validationError([{ path: field, message: r.error.issues[0]?.message ?? "Invalid password" }]);
  return r.data;
}
