/**
 * The zod schemas built from the registry type modules (re-exported from
 * `./types`), shared by the form, the server actions and the route handlers.
 * Client-safe: no server-only or node: imports.
 *
 * Errors are format problems (400, `{path, message}` with dotted paths such as
 * `credentials.accessKeyId`); conventions are warnings returned beside a
 * successful parse.
 */
import * as z from "zod";
import type { FieldIssue } from "@/lib/errors";
import { httpUrlIssue } from "@/lib/http-url";
import {
  ALL_CREDENTIAL_FIELDS,
  REGISTRY_TYPES,
  REGISTRY_TYPE_KEYS,
  getRegistryType,
  isRegistryTypeKey,
  isSecretField,
  type CredentialField,
  type CredentialKey,
  type FieldFormat,
  type RegistryCredentials,
  type RegistryType,
  type RegistryTypeKey,
} from "./types";
import { between, isPemBase64, trimTrailingSlashes } from "./text";
import { canonicalRegistryUrl, normalizeRegistryUrl } from "./url";

export * from "./types";

export type { FieldIssue } from "@/lib/errors";

export interface RegistryInput {
  name: string;
  type: RegistryTypeKey;
  isActive: boolean;
  /** Whether the registry is checked on a schedule (default true). */
  scheduledChecks: boolean;
  /** When the credentials expire (ISO time, past ones accepted); null clears it, absent keeps it. */
  expiresAt?: string | null;
  /** Validated: trimmed, blanks removed, hosts and URLs in canonical form. */
  credentials: RegistryCredentials;
}

/** PATCH body: values as sent, so "" and null (clear) can be told from an omitted key. */
export interface RegistryPatchInput {
  name?: string;
  isActive?: boolean;
  scheduledChecks?: boolean;
  expiresAt?: string | null;
  credentials?: { [K in keyof RegistryCredentials]?: RegistryCredentials[K] | null };
}

// ---------------------------------------------------------------------------
// Format checks, by the names the type modules' fields use.

const AWS_ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;
const AWS_REGION = /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-\d+|us-gov-[a-z]+-\d+)$/;
const GAR_REGION = /^(?:us|europe|asia|[a-z]+-[a-z]+\d+)$/;
/**
 * PEM blocks are found with indexOf, not a pattern: `\s*[A-Za-z0-9+/=\s]+?-----END` backtracked
 * quadratically on a long run of whitespace (a 64 KiB key held /validate for 1.8 s, issue 16).
 * A PKCS#8 key of 8192-bit RSA is ~6.5 KB of PEM; anything longer is not a key.
 */
const PEM_KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
const PEM_KEY_END = "-----END PRIVATE KEY-----";
const MAX_PRIVATE_KEY_LENGTH = 16 * 1024;
const PEM_CERTIFICATE_BEGIN = "-----BEGIN CERTIFICATE-----";
const PEM_CERTIFICATE_END = "-----END CERTIFICATE-----";

function isPemPrivateKey(value: string): boolean {
  if (value.length > MAX_PRIVATE_KEY_LENGTH) return false;
  const block = between(value, PEM_KEY_BEGIN, PEM_KEY_END);
  return block !== null && isPemBase64(block.body);
}

interface Format {
  /** Rewrites a non-blank value to its canonical form before `check`; null leaves it as typed. */
  canonical?: (value: string) => string | null;
  /** An error message, or undefined when the value is fine. */
  check: (value: string, type: RegistryType | undefined) => string | undefined;
}

const pattern = (regex: RegExp, message: string): Format => ({
  check: (value) => (regex.test(value) ? undefined : message),
});

/** A bare host (no scheme, port or path), optionally restricted to a pattern. */
const bareHost = (regex: RegExp | null, message: string): Format => ({
  canonical: canonicalRegistryUrl,
  check: (value) => {
    const url = normalizeRegistryUrl(value);
    if (!url.ok) return url.message;
    if (url.plainHttp || url.port !== undefined || url.pathPrefix) return message;
    return regex && !regex.test(url.host) ? message : undefined;
  },
});

const FORMATS: Record<FieldFormat, Format> = {
  username: { check: (value) => (value.includes(":") ? "Must not contain “:”" : undefined) },
  awsAccessKeyId: pattern(
    AWS_ACCESS_KEY_ID,
    "Must be 20 characters: AKIA or ASIA followed by 16 capital letters or digits",
  ),
  awsRegion: {
    canonical: (value) => value.toLowerCase(),
    check: pattern(AWS_REGION, "Must be an AWS region such as us-east-1").check,
  },
  awsAccountId: pattern(/^\d{12}$/, "Must be the 12-digit AWS account ID"),
  host: bareHost(null, "Must be a host name such as myregistry.azurecr.io, without scheme, port or path"),
  providerHost: {
    canonical: canonicalRegistryUrl,
    check: (value, type) => bareHost(type?.hostPattern.regex ?? null, `Must be ${type?.hostPattern.description ?? "a host name"}`).check(value, type),
  },
  garRegion: {
    canonical: (value) => value.toLowerCase(),
    check: pattern(GAR_REGION, "Must be a location such as us-central1, europe-west1, or us, europe or asia").check,
  },
  serviceAccountKey: { check: checkServiceAccountKey },
  registryUrl: {
    canonical: canonicalRegistryUrl,
    check: (value) => {
      const url = normalizeRegistryUrl(value);
      return url.ok ? undefined : url.message;
    },
  },
  providerUrl: {
    canonical: canonicalRegistryUrl,
    check: (value, type) => {
      const url = normalizeRegistryUrl(value);
      if (!url.ok) return url.message;
      const regex = type?.hostPattern.regex;
      const onProviderHost = !url.plainHttp && url.port === undefined && (!regex || regex.test(url.host));
      return onProviderHost ? undefined : `Must be ${type?.defaultHost ?? "the provider's host"} or a path under it, e.g. ${type?.fields.find((f) => f.name === "url")?.placeholder}`;
    },
  },
  pemCertificate: { check: checkPemCertificate },
  apiUrl: { canonical: trimTrailingSlashes, check: checkApiUrl },
};

function checkApiUrl(value: string): string | undefined {
  return httpUrlIssue(value, { example: "https://api.github.com", allowQuery: false });
}

function checkServiceAccountKey(value: string): string | undefined {
  let key: unknown;
  try {
    key = JSON.parse(value);
  } catch {
    return "Not valid JSON: paste the whole key file downloaded from Google Cloud";
  }
  if (!isRecord(key)) return "Must be a JSON object: the service account key file";
  if (key.type !== "service_account") return 'Must be a service account key ("type": "service_account")';
  if (typeof key.client_email !== "string" || !key.client_email.includes("@")) {
    return "The key has no client_email";
  }
  if (typeof key.private_key !== "string" || !isPemPrivateKey(key.private_key)) {
    return "The key's private_key must be a PEM private key (-----BEGIN PRIVATE KEY-----)";
  }
  return undefined;
}

function checkPemCertificate(value: string): string | undefined {
  if (/PRIVATE KEY-----/.test(value)) return "Contains a private key: paste only the CA certificate";
  let found = 0;
  for (let block = between(value, PEM_CERTIFICATE_BEGIN, PEM_CERTIFICATE_END); block; block = between(value, PEM_CERTIFICATE_BEGIN, PEM_CERTIFICATE_END, block.next)) {
    found++;
    if (!isPemBase64(block.body)) return "The certificate is not valid base64 between its BEGIN and END lines";
  }
  return found === 0 ? "Must be a PEM certificate (-----BEGIN CERTIFICATE----- …)" : undefined;
}

// ---------------------------------------------------------------------------
// Schemas.

type Mode = "create" | "replace" | "patch";

const MAX_LENGTH: Record<CredentialField["kind"], number> = {
  text: 2048,
  select: 2048,
  secret: 8192,
  textarea: 32768,
  file: 32768,
  checkbox: 0,
};

const NO_NUL = "Must not contain NUL characters";

const typeError = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "Required" : `Must be ${expected}`;

function valueSchema(field: CredentialField, type: RegistryType | undefined) {
  if (field.kind === "checkbox") return z.boolean({ error: typeError("true or false") }).nullable().optional();

  let schema = z.string({ error: typeError("text") });
  // Passwords are taken verbatim; every other value is trimmed (pasted tokens often end in a newline).
  if (field.name !== "password") schema = schema.trim();
  const max = MAX_LENGTH[field.kind];
  // `abort`: a value over the limit is refused before any format check runs on it.
  schema = schema.max(max, { message: `Must be at most ${max} characters`, abort: true });
  if (field.kind === "text" || field.kind === "secret" || field.kind === "select") {
    schema = schema.refine((value) => !/[\r\n]/.test(value), "Must be a single line");
  }
  // PostgreSQL text and jsonb cannot hold NUL: refuse it here (400) rather than fail on insert (500).
  schema = schema.refine((value) => !value.includes("\u0000"), NO_NUL);
  const format = field.format ? FORMATS[field.format] : undefined;
  if (format) {
    const canonical = format.canonical;
    if (canonical) schema = schema.overwrite((value) => (value === "" ? value : (canonical(value) ?? value)));
    schema = schema.superRefine((value, ctx) => {
      const message = value === "" ? undefined : format.check(value, type);
      if (message) ctx.addIssue({ code: "custom", message });
    });
  }
  return schema.nullable().optional();
}

const isBlank = (value: unknown) => value === undefined || value === null || (typeof value === "string" && value.trim() === "");

function dropBlanks(credentials: Record<string, unknown>): RegistryCredentials {
  return Object.fromEntries(Object.entries(credentials).filter(([, value]) => !isBlank(value))) as RegistryCredentials;
}

function credentialsSchema(type: RegistryType | undefined, mode: Mode) {
  const fields = type?.fields ?? ALL_CREDENTIAL_FIELDS;
  const object = z.strictObject(Object.fromEntries(fields.map((f) => [f.name, valueSchema(f, type)])));
  if (mode === "patch" || !type) return object;
  return object
    .superRefine(
      (credentials, ctx) => {
        // Runs even when the value was not an object (`when` below): its type error is already reported.
        if (!isRecord(credentials)) return;
        // On replace, secrets may be omitted to keep the stored ones: the service checks them with findMissingCredentials.
        for (const { key, message } of missingCredentials(type, credentials, mode === "replace" ? "skip" : [])) {
          ctx.addIssue({ code: "custom", path: [key], message });
        }
      },
      { when: () => true }, // report missing fields together with format errors
    )
    .transform(dropBlanks);
}

/** An ISO 8601 time with an offset (`2026-12-31T12:00:00Z`); a past one is accepted (it means expired). */
const expiresAtSchema = z.iso
  .datetime({ offset: true, error: "Must be an ISO 8601 time such as 2026-12-31T12:00:00Z, or null", abort: true })
  .refine((value) => !Number.isNaN(new Date(value).getTime()) && new Date(value).getUTCFullYear() < 10000, "Must be a real date")
  .nullable()
  .optional();

const nameSchema = z
  .string({ error: typeError("text") })
  .trim()
  .min(1, "Required")
  .max(100, "Must be at most 100 characters")
  .refine((value) => !value.includes("\u0000"), NO_NUL);

function registrySchema(mode: "create" | "replace") {
  const options = REGISTRY_TYPES.map((type) =>
    z.strictObject({
      name: nameSchema,
      type: z.literal(type.key),
      isActive: z.boolean({ error: typeError("true or false") }).default(true),
      scheduledChecks: z.boolean({ error: typeError("true or false") }).default(true),
      expiresAt: expiresAtSchema,
      credentials: credentialsSchema(type, mode).prefault({}),
    }),
  );
  return z.discriminatedUnion("type", options as unknown as [(typeof options)[number], ...typeof options], {
    error: (issue) => {
      // Typed as union issues only, but a body that is not an object reports invalid_type here too.
      if ((issue.code as string) === "invalid_type") return "Must be a JSON object";
      if (issue.code !== "invalid_union") return undefined;
      return isRecord(issue.input) && issue.input.type !== undefined
        ? `Unknown registry type: must be one of ${REGISTRY_TYPE_KEYS.join(", ")}`
        : "Required";
    },
  }) as unknown as z.ZodType<RegistryInput, RegistryInputIn>;
}

/** What a client may send for create and replace. */
export type RegistryInputIn = {
  name: string;
  type: RegistryTypeKey;
  isActive?: boolean;
  scheduledChecks?: boolean;
  expiresAt?: string | null;
  credentials?: { [K in keyof RegistryCredentials]?: RegistryCredentials[K] | null };
};

/** POST body: `{name, type, isActive?, credentials}`, discriminated on `type`. */
export const createRegistrySchema = registrySchema("create");

/**
 * PUT body: the create shape, but secrets may be omitted ("leave blank to keep
 * the current value"). The service decides which stored secrets are kept (none
 * when the host changes) and then calls `findMissingCredentials`.
 */
export const replaceRegistrySchema = registrySchema("replace");

/**
 * PATCH body: `{name?, isActive?, credentials?}` with any known credential key.
 * The type is not in the body, so per-type rules cannot run here: the service
 * merges the patch into the stored credentials, parses the merge with
 * `replaceRegistrySchema` and calls `findMissingCredentials`.
 */
export const patchRegistrySchema = z.strictObject({
  name: nameSchema.optional(),
  isActive: z.boolean({ error: typeError("true or false") }).optional(),
  scheduledChecks: z.boolean({ error: typeError("true or false") }).optional(),
  expiresAt: expiresAtSchema,
  credentials: credentialsSchema(undefined, "patch").optional(),
}) as unknown as z.ZodType<RegistryPatchInput, RegistryPatchInput>;

// ---------------------------------------------------------------------------
// Required fields, conventions, parsing.

function missingCredentials(
  type: RegistryType,
  credentials: Record<string, unknown>,
  keptSecrets: readonly string[] | "skip",
) {
  const given = (key: CredentialKey) => !isBlank(credentials[key]);
  const has = (key: CredentialKey) =>
    given(key) || (isSecretField(key) && (keptSecrets === "skip" || keptSecrets.includes(key)));
  const missing = type.fields
    .filter((f) => f.required && !has(f.name))
    .map((f) => ({ key: f.name, message: "Required" }));
  if (keptSecrets === "skip") return missing;
  return [...missing, ...(type.requires?.(credentials as RegistryCredentials, has) ?? [])];
}

/**
 * Required credentials that are neither given nor kept from the stored row,
 * with paths such as `credentials.token`. `keptSecrets` lists the secrets the
 * service keeps from the stored row (for PUT and PATCH on an unchanged host).
 */
export function findMissingCredentials(
  type: RegistryTypeKey,
  credentials: RegistryCredentials,
  keptSecrets: readonly string[] = [],
): FieldIssue[] {
  return missingCredentials(getRegistryType(type), credentials, keptSecrets).map(({ key, message }) => ({
    path: `credentials.${key}`,
    message,
  }));
}

/**
 * Convention checks (warnings, never errors) on validated credentials: the
 * type's own (token prefixes, key lengths, host naming) and the shared ones
 * (plain HTTP, skipped TLS verification, an API path in the URL).
 */
export function checkConventions(type: RegistryTypeKey, credentials: RegistryCredentials): FieldIssue[] {
  const entry = getRegistryType(type);
  const warnings = [...(entry.conventions?.(credentials) ?? [])];
  const url = credentials.url ? normalizeRegistryUrl(credentials.url) : undefined;
  const plainHttp = url?.ok === true && url.plainHttp;
  const hasSecrets = entry.fields.some((f) => f.secret);
  if (plainHttp && hasSecrets) {
    warnings.push({
      key: "url",
      message: "Plain HTTP: the credentials travel unencrypted. Use https:// unless the network is trusted end to end",
    });
  }
  if (url?.ok && /^v2(\/|$)/.test(url.pathPrefix)) {
    warnings.push({ key: "url", message: "/v2 is the registry API path: enter the registry host without it" });
  }
  if (credentials.insecureSkipVerify) {
    warnings.push({
      key: "insecureSkipVerify",
      message: plainHttp
        ? "Has no effect on a plain http:// registry"
        : "TLS certificates are not verified: anyone on the network path could impersonate the registry and capture the credentials. Prefer a CA certificate",
    });
  }
  return warnings.map(({ key, message }) => ({ path: `credentials.${key}`, message }));
}

export type RegistryParseResult<T> =
  | { ok: true; data: T; warnings: FieldIssue[] }
  | { ok: false; errors: FieldIssue[] };

/** Zod issues as `{path, message}` with dotted paths; one issue per unknown key. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  const issues = error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: [...issue.path, key].join("."), message: "Unknown field" }))
      : [{ path: issue.path.join("."), message: issue.message }],
  );
  return issues.filter((a, i) => issues.findIndex((b) => b.path === a.path && b.message === a.message) === i);
}

/**
 * Parses a body with one of the schemas above. Errors are the format problems
 * (a 400 for the API, field messages for the form); warnings are the
 * conventions of the parsed registry (none for a PATCH body, whose type is unknown).
 */
export function parseRegistryInput<T>(schema: z.ZodType<T>, body: unknown): RegistryParseResult<T> {
  const result = schema.safeParse(body);
  if (!result.success) return { ok: false, errors: toFieldIssues(result.error) };
  const data: unknown = result.data;
  const warnings =
    isRecord(data) && isRegistryTypeKey(data.type) && isRecord(data.credentials)
      ? checkConventions(data.type, data.credentials as RegistryCredentials)
      : [];
  return { ok: true, data: result.data, warnings };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
