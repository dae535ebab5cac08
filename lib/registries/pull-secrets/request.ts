/**
 * The request bodies of `resolve` and `pull-secret`: one zod schema each, used by the services
 * and by the OpenAPI document. Client-safe.
 */
import * as z from "zod";

export const PULL_SECRET_FORMATS = ["dockerconfigjson", "kubernetes", "docker-login", "secret-data"] as const;
export type PullSecretFormat = (typeof PULL_SECRET_FORMATS)[number];

/** At most this many registry ids, images or hosts in one pull-secret request. */
export const MAX_PULL_SECRET_ENTRIES = 50;
export const MAX_IMAGE_LENGTH = 1024;
export const DEFAULT_SECRET_NAME = "berth-pull-secret";
export const DEFAULT_NAMESPACE = "default";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `value` is not a DNS-1123 subdomain (a Kubernetes object name), or undefined. */
export function dns1123SubdomainProblem(value: string): string | undefined {
  if (value.length > 253) return "Must be at most 253 characters";
  if (!DNS1123_SUBDOMAIN.test(value)) return "Must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (a DNS-1123 subdomain)";
  return undefined;
}

/** Why `value` is not a DNS-1123 label (a Kubernetes namespace), or undefined. */
export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length > 63) return "Must be at most 63 characters";
  if (!DNS1123_LABEL.test(value)) return "Must be lower-case letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)";
  return undefined;
}

const entries = <T extends z.ZodType>(item: T, what: string) =>
  z
    .array(item, { error: `Must be a list of ${what}` })
    .min(1, { error: "Must name at least one" })
    .max(MAX_PULL_SECRET_ENTRIES, { error: `At most ${MAX_PULL_SECRET_ENTRIES} in one request` });

const image = z
  .string({ error: "Must be text, e.g. ghcr.io/org/api:v2.1.0" })
  .min(1, { error: "Must not be empty" })
  .max(MAX_IMAGE_LENGTH, { error: `Must be at most ${MAX_IMAGE_LENGTH} characters` });

export const resolveRequestSchema = z
  .strictObject({ image: image.meta({ examples: ["ghcr.io/org/api:v2.1.0"] }) })
  .meta({ title: "ResolveRequest", description: "An image reference as `docker pull` takes it" });

const SELECTORS = ["registryIds", "images", "hosts"] as const;

export const pullSecretRequestSchema = z
  .strictObject({
    registryIds: entries(z.string({ error: "Must be a registry id" }).max(100, { error: "Not a registry id" }), "registry ids")
      .optional()
      .meta({ description: "Registries by id (unknown or deleted ids are 404, inactive ones 400)" }),
    images: entries(image, "image references")
      .optional()
      .meta({ description: "Image references: each selects the registry `resolve` would answer", examples: [["ghcr.io/org/api:v2.1.0", "127.0.0.1:5000/team/app:1"]] }),
    hosts: entries(z.string({ error: "Must be a host" }).min(1, { error: "Must not be empty" }).max(300, { error: "Must be at most 300 characters" }), "registry hosts")
      .optional()
      .meta({ description: "Registry hosts (`ghcr.io`, `127.0.0.1:5000`): every active registry on the host, all path prefixes", examples: [["ghcr.io"]] }),
    format: z.enum(PULL_SECRET_FORMATS, { error: `Must be one of ${PULL_SECRET_FORMATS.join(", ")}` }),
    namespace: z
      .string({ error: "Must be text" })
      .optional()
      .meta({ description: `Namespace of the Secret (format \`kubernetes\`; a DNS-1123 label, default \`${DEFAULT_NAMESPACE}\`)` }),
    name: z
      .string({ error: "Must be text" })
      .optional()
      .meta({ description: `Name of the Secret (format \`kubernetes\`; a DNS-1123 subdomain, default \`${DEFAULT_SECRET_NAME}\`)` }),
  })
  .superRefine((body, ctx) => {
    const given = SELECTORS.filter((key) => body[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: given.length > 1 ? [given[1]!] : [],
        message: given.length > 1 ? `Give only one of registryIds, images and hosts (got ${given.join(" and ")})` : "Give one of registryIds, images or hosts",
      });
    }
    for (const key of ["namespace", "name"] as const) {
      const value = body[key];
      if (value === undefined) continue;
      if (body.format !== "kubernetes") {
        ctx.addIssue({ code: "custom", path: [key], message: "Only used with format kubernetes" });
        continue;
      }
      const problem = key === "name" ? dns1123SubdomainProblem(value) : dns1123LabelProblem(value);
      if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
    }
  })
  .meta({ title: "PullSecretRequest", description: "Exactly one of `registryIds`, `images` and `hosts` (at most 50 entries)." });

export type PullSecretRequest = z.infer<typeof pullSecretRequestSchema>;
