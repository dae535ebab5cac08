/**
 * Credential fields shared by every registry type: one row per credential key
 * (the API's field names) with its exact accessible label (what the pages and
 * their tests rely on), input kind
 * and format. Registry types pick fields from here and may only override
 * `required`, `placeholder`, `help` and `format`, so a label can never drift.
 *
 * Client-safe: no server-only or node: imports.
 */

export const CREDENTIAL_KEYS = [
  "username",
  "password",
  "token",
  "accessKeyId",
  "secretAccessKey",
  "sessionToken",
  "region",
  "registryId",
  "loginServer",
  "serviceAccountKey",
  "hostname",
  "url",
  "caCertificate",
  "insecureSkipVerify",
  "expiryApiUrl",
  "detectExpiry",
] as const;
export type CredentialKey = (typeof CREDENTIAL_KEYS)[number];

/** The credential keys whose values never leave the server. */
export const SECRET_FIELDS = [
  "password",
  "token",
  "secretAccessKey",
  "sessionToken",
  "serviceAccountKey",
] as const satisfies readonly CredentialKey[];
export type SecretField = (typeof SECRET_FIELDS)[number];

export function isSecretField(key: string): key is SecretField {
  return (SECRET_FIELDS as readonly string[]).includes(key);
}

/** Credentials of any registry type; which keys a type accepts is in its module. */
export type RegistryCredentials = {
  [K in Exclude<CredentialKey, BooleanCredentialKey>]?: string;
} & { [K in BooleanCredentialKey]?: boolean };

/** The credentials that are checkboxes. */
export type BooleanCredentialKey = "insecureSkipVerify" | "detectExpiry";

export type FieldKind = "text" | "secret" | "textarea" | "file" | "select" | "checkbox";

/**
 * Named format checks; the validators live in `schemas.ts` (they need the URL
 * normaliser, and this module must stay free of imports so `url.ts` can read
 * the type modules without an import cycle).
 */
export type FieldFormat =
  | "username"
  | "awsAccessKeyId"
  | "awsRegion"
  | "awsAccountId"
  | "host"
  /** A bare host on the type's own hosts (`hostPattern`), e.g. `eu.gcr.io`. */
  | "providerHost"
  | "garRegion"
  | "serviceAccountKey"
  | "registryUrl"
  /** A URL on the provider's own host (`hostPattern` of the type), e.g. `ghcr.io/my-org`. */
  | "providerUrl"
  /** An http(s) base URL of a provider's API, e.g. `https://github.example.com/api/v3`. */
  | "apiUrl"
  | "pemCertificate";

export interface FieldOption {
  value: string;
  label: string;
}

export interface CredentialField {
  name: CredentialKey;
  /** Exact accessible name of the input. */
  label: string;
  kind: FieldKind;
  /** Required on create. Types with either/or rules (custom) express them in `requires`. */
  required: boolean;
  secret: boolean;
  /** Changing this field changes the host the credentials are bound to. */
  bindsHost: boolean;
  placeholder: string;
  help: string;
  format?: FieldFormat;
  options?: readonly FieldOption[];
}

type FieldBase = Omit<CredentialField, "name" | "required" | "secret">;

const text = (label: string, rest: Partial<FieldBase> = {}): FieldBase => ({
  label,
  kind: "text",
  bindsHost: false,
  placeholder: "",
  help: "",
  ...rest,
});

const FIELD_BASE: Record<CredentialKey, FieldBase> = {
  username: text("Username", { format: "username" }),
  password: text("Password", { kind: "secret" }),
  token: text("Token", { kind: "secret" }),
  accessKeyId: text("Access key ID", {
    format: "awsAccessKeyId",
    placeholder: "AKIAIOSFODNN7EXAMPLE",
    help: "An IAM user's access key (AKIA…), or temporary credentials (ASIA…) with their session token.",
  }),
  secretAccessKey: text("Secret access key", {
    kind: "secret",
    help: "40 characters, shown once when the access key is created.",
  }),
  sessionToken: text("Session token", {
    kind: "secret",
    help: "Only for temporary (ASIA…) access keys.",
  }),
  region: text("Region", { bindsHost: true }),
  registryId: text("Registry ID", {
    format: "awsAccountId",
    bindsHost: true,
    placeholder: "123456789012",
    help: "The 12-digit AWS account ID that owns the registry. Leave blank for the account of the access key.",
  }),
  loginServer: text("Login server", {
    format: "host",
    bindsHost: true,
    placeholder: "myregistry.azurecr.io",
    help: "Shown on the registry's Overview page in the Azure portal.",
  }),
  serviceAccountKey: text("Service account key", {
    kind: "file",
    format: "serviceAccountKey",
    placeholder: '{"type": "service_account", "client_email": …, "private_key": …}',
    help: "Paste the whole JSON key file, or choose it from disk.",
  }),
  hostname: text("Hostname", {
    kind: "select",
    format: "providerHost",
    bindsHost: true,
  }),
  url: text("Registry URL", {
    format: "registryUrl",
    bindsHost: true,
    placeholder: "registry.example.com",
    help: "Host, optional port and optional path prefix, e.g. registry.example.com:5000/team. https:// is assumed; type http:// only for a plain-HTTP registry.",
  }),
  caCertificate: text("CA certificate", {
    kind: "file",
    format: "pemCertificate",
    placeholder: "-----BEGIN CERTIFICATE-----",
    help: "PEM certificate of the CA that signed the registry's TLS certificate, when it is not publicly trusted.",
  }),
  insecureSkipVerify: text("Skip TLS verification", {
    kind: "checkbox",
    help: "Accept any TLS certificate. For testing only: anyone on the network path could impersonate the registry and capture the credentials.",
  }),
  expiryApiUrl: text("Expiry API URL", {
    format: "apiUrl",
    help: "Where the token's expiry is read from. Leave blank for the provider's own API; changing it requires the token again.",
  }),
  // The form names the host the token will be sent to in this label (expiryApiHostOf).
  detectExpiry: text("Read the token's expiry from the provider's API", {
    kind: "checkbox",
    help: "Berth sends the token to the provider's API to read when it expires, when you save and after each successful test.",
  }),
};

export type FieldOverrides = Partial<Pick<CredentialField, "required" | "placeholder" | "help" | "format" | "options">>;

/** A credential field for a type module: the shared definition plus per-type overrides. */
export function field(name: CredentialKey, overrides: FieldOverrides = {}): CredentialField {
  return {
    name,
    ...FIELD_BASE[name],
    required: false,
    secret: isSecretField(name),
    ...overrides,
  };
}

/** The shared definitions, as used for inputs whose registry type is not known yet (PATCH). */
export const ALL_CREDENTIAL_FIELDS: readonly CredentialField[] = CREDENTIAL_KEYS.map((name) => field(name));

/** Optional TLS settings of self-hostable registries. */
export const TLS_FIELDS: readonly CredentialField[] = [field("caCertificate"), field("insecureSkipVerify")];
