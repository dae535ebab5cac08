import { z } from "zod";
import { MAX_ALLOWLIST, normalizeCidr } from "@/lib/cidr";

/** Client-safe input schemas shared by forms, server actions and route handlers. */
export const ROLE_VALUES = ["owner", "admin", "member", "viewer"] as const;
export const SCOPE_VALUES = ["registries:read", "registries:write", "registries:pull"] as const;

export const emailField = z.string().trim().toLowerCase().pipe(z.email({ error: "Enter a valid email address" }));
/** A new password's length; the server also refuses common passwords (lib/auth/password-policy.ts). */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;
export const passwordField = z
  .string()
  .min(PASSWORD_MIN, { error: `Use at least ${PASSWORD_MIN} characters` })
  .max(PASSWORD_MAX, { error: `Use at most ${PASSWORD_MAX} characters` });
export const companyNameField = z
  .string()
  .trim()
  .min(1, { error: "Enter a company name" })
  .max(100, { error: "Use at most 100 characters" })
  .refine((v) => /[a-z0-9]/i.test(v), { error: "Use at least one letter or digit" });

/** The most registries one API token may be limited to. */
export const MAX_TOKEN_REGISTRIES = 50;

export const createTokenSchema = z
  .object({
    name: z.string().trim().min(1, { error: "Enter a name" }).max(100, { error: "Use at most 100 characters" }),
    scopes: z.array(z.enum(SCOPE_VALUES)).min(1, { error: "Choose at least one scope" }),
    expiresAt: z.iso
      .datetime({ offset: true, error: "Use an ISO 8601 date-time" })
      .nullish()
      .refine((v) => !v || new Date(v).getTime() > Date.now(), { error: "The expiry must be in the future" }),
    cidrAllowlist: z
      .array(z.string())
      .max(MAX_ALLOWLIST, { error: `At most ${MAX_ALLOWLIST} entries` })
      .default([])
      .superRefine((list, ctx) => {
        list.forEach((entry, i) => {
          if (!normalizeCidr(entry)) ctx.addIssue({ code: "custom", path: [i], message: `"${entry}" is not an IPv4/IPv6 address or CIDR` });
        });
      })
      .transform((list) => list.map((e) => normalizeCidr(e)!)),
    /**
     * Limits the token to these registries of its company (it sees, resolves and fetches only
     * those); absent or null: every registry. Whether each exists is checked by the service.
     */
    registryIds: z
      .array(z.string().trim().toLowerCase().pipe(z.uuid({ error: "Not a registry id (a UUID)" })), { error: "A list of registry ids" })
      .min(1, { error: "Choose at least one registry, or leave the limit out for all registries" })
      .max(MAX_TOKEN_REGISTRIES, { error: `At most ${MAX_TOKEN_REGISTRIES} registries` })
      .nullish()
      .transform((list) => list ?? null),
  })
  .strict();
export type CreateTokenInput = z.input<typeof createTokenSchema>;

export const inviteSchema = z
  .object({
    email: emailField,
    role: z.enum(ROLE_VALUES),
    manageRegistries: z.boolean().default(false),
  })
  .strict();

export const updateMemberSchema = z
  .object({
    role: z.enum(ROLE_VALUES).optional(),
    manageRegistries: z.boolean().optional(),
  })
  .strict()
  // An empty patch has nothing to write (an UPDATE without columns): say so instead.
  .refine((p) => p.role !== undefined || p.manageRegistries !== undefined, { error: "Give role, manageRegistries or both" });

export const setupSchema = z.object({
  email: emailField,
  password: passwordField,
  companyName: companyNameField,
});

/** `acme` stays `acme`; `Acme Corp!` becomes `acme-corp`. */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/g, "");
}

/** Slugs that would shadow the app's own top-level routes. */
export const RESERVED_SLUGS = new Set(["api", "login", "logout", "setup", "invite", "companies", "docs", "account", "reset-password", "settings", "_next", "static", "public", "v1", "v2", "auth", "health", "ready", "metrics", "new"]);
