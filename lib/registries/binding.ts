/**
 * The binding: where a registry's secrets may be sent. Host, port and path prefix, the
 * transport (plain HTTP or HTTPS), the TLS trust (a CA certificate, skipped verification) and
 * whatever else the type binds (ECR: region and registry id). Every write and every Test
 * Connection override goes through {@link bindingOf} and {@link bindingChanges}: when the
 * binding changes in any way but turning skip-verify off, the stored secrets are not used and
 * every secret of the type must be given again. So nobody who may test but not write can make
 * Berth send a stored secret anywhere the saved registry would not. Client-safe (the form shows
 * the same rule as the server applies).
 */
import type { FieldIssue } from "@/lib/errors";
import type { ConnectionInput } from "./connection/types";
import { findMissingCredentials } from "./schemas";
import { REGISTRY_TYPES, getRegistryType, isSecretField, type CredentialKey, type RegistryCredentials, type RegistryTypeKey } from "./types";
import { normalizeRegistryUrl } from "./url";

export interface Binding {
  /** `host[:port][/prefix]`, no scheme, e.g. `ghcr.io/my-org`. */
  url: string;
  plainHttp: boolean;
  /** The PEM of a private CA the registry's certificate is checked against; null for the system's CAs. */
  caCertificate: string | null;
  insecureSkipVerify: boolean;
  /** The type's other bound credentials (`bindsAlso`), by key. */
  also: Partial<Record<CredentialKey, string | null>>;
}

const nonBlank = (value: string | undefined) => (value?.trim() ? value : undefined);

/**
 * The `host[:port][/prefix]` the credentials are bound to (no scheme): the type's `hostOf`
 * rule, else the `url` field, else the default host, e.g. `ghcr.io/my-org`,
 * `myreg.azurecr.io`, `eu.gcr.io`, `europe-west1-docker.pkg.dev`,
 * `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. ECR without a registry ID gives the
 * placeholder `dkr.ecr.REGION.amazonaws.com` ("any account in REGION"). An unparsable value is returned as given,
 * and a type without a host yet gives "".
 */
export function registryHostOf(type: RegistryTypeKey, credentials: RegistryCredentials): string {
  const definition = getRegistryType(type);
  const raw = nonBlank(definition.hostOf?.(credentials)) ?? nonBlank(credentials.url) ?? definition.defaultHost ?? "";
  const normalized = normalizeRegistryUrl(raw);
  return normalized.ok ? normalized.url : raw.trim();
}

/** Per type, the credential fields that decide the host. */
export const HOST_FIELDS = Object.fromEntries(
  REGISTRY_TYPES.map((type) => [type.key, type.fields.filter((f) => f.bindsHost).map((f) => f.name)]),
) as Partial<Record<RegistryTypeKey, readonly CredentialKey[]>> as Readonly<Record<RegistryTypeKey, readonly CredentialKey[]>>;

/** The binding of a registry of `type` with these (validated) credentials. */
export function bindingOf(type: RegistryTypeKey, credentials: RegistryCredentials): Binding {
  const definition = getRegistryType(type);
  // Only the URL field takes `http://`: host-only fields refuse a scheme.
  const typed = credentials.url ? normalizeRegistryUrl(credentials.url) : null;
  return {
    url: registryHostOf(type, credentials),
    plainHttp: typed?.ok === true && typed.plainHttp,
    caCertificate: nonBlank(credentials.caCertificate)?.trim() ?? null,
    insecureSkipVerify: credentials.insecureSkipVerify === true,
    also: Object.fromEntries((definition.bindsAlso ?? []).map((key) => [key, nonBlank(credentials[key] as string | undefined) ?? null])),
  };
}

/**
 * The binding a saved registry has: its stored URL and transport, and the TLS settings it keeps.
 * For a type that learns its host (ECR), the configured binding (region, registry ID).
 */
export function storedBindingOf(row: { type: string; url: string; plainHttp: boolean; credentials: unknown }): Binding {
  const stored = bindingOf(row.type as RegistryTypeKey, (row.credentials ?? {}) as RegistryCredentials);
  // A learned host (ECR's first exchange) is where the provider said the registry is, not a
  // binding the user chose: the binding stays the configured one.
  if (getRegistryType(row.type as RegistryTypeKey)?.learnsHost) return stored;
  return { ...stored, url: row.url, plainHttp: row.plainHttp };
}

/** What a binding change is about, for messages: "host" or "TLS trust" or a bound field's label. */
export interface BindingChange {
  /** Short names of the changed parts, e.g. `["port"]`, `["CA certificate"]`. */
  parts: string[];
  /** What the user is told changed: "host" (host, port, path, transport) or "TLS trust", etc. */
  subject: string;
  from: string;
  to: string;
}

const display = (binding: Binding) => `${binding.plainHttp ? "http://" : ""}${binding.url}`;

/**
 * How `next` differs from `before` in a way that requires the secrets again; null when it does
 * not. Turning skip-verify off only makes the trust stricter, so it alone is no change.
 */
export function bindingChanges(before: Binding, next: Binding): BindingChange | null {
  const parts: string[] = [];
  const a = normalizeRegistryUrl(before.url);
  const b = normalizeRegistryUrl(next.url);
  if (a.ok && b.ok) {
    if (a.host !== b.host) parts.push("host");
    if (a.port !== b.port) parts.push("port");
    if (a.pathPrefix !== b.pathPrefix) parts.push("path prefix");
  } else if (before.url !== next.url) parts.push("host");
  if (before.plainHttp !== next.plainHttp) parts.push(next.plainHttp ? "plain HTTP" : "HTTPS");
  const hostParts = parts.length;
  if (before.caCertificate !== next.caCertificate) parts.push(before.caCertificate === null ? "CA certificate added" : next.caCertificate === null ? "CA certificate removed" : "CA certificate changed");
  if (!before.insecureSkipVerify && next.insecureSkipVerify) parts.push("TLS verification skipped");
  const tlsParts = parts.length;
  for (const key of new Set([...Object.keys(before.also), ...Object.keys(next.also)]) as Set<CredentialKey>) {
    if ((before.also[key] ?? null) !== (next.also[key] ?? null)) parts.push(key);
  }
  if (parts.length === 0) return null;
  const subject = hostParts > 0 ? "host" : tlsParts > 0 ? "TLS trust" : parts.join(" and ");
  return { parts, subject, from: display(before), to: display(next) };
}

/**
 * The engine's input for a registry of `type`: where to connect (the binding) and how to sign
 * in (the type's module). `conventionsChecked` says the caller validated the credentials with
 * the type's schema, which raised the convention warnings already.
 */
export function connectionInputFromCredentials(
  type: RegistryTypeKey,
  credentials: RegistryCredentials,
  extras: { plainHttp?: boolean; image?: string; conventionsChecked?: boolean } = {},
): ConnectionInput {
  const binding = bindingOf(type, credentials);
  const signIn = getRegistryType(type).signIn(credentials);
  const { username, password } = signIn.kind === "basic" ? signIn : {};
  return {
    type,
    host: binding.url,
    plainHttp: extras.plainHttp ?? binding.plainHttp,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(binding.caCertificate ? { caCertificate: binding.caCertificate } : {}),
    ...(binding.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
    ...(extras.image ? { image: extras.image } : {}),
    ...(extras.conventionsChecked ? { conventionsChecked: true } : {}),
  };
}

/** The credential that holds a registry's host: the first host field given, else the type's first. */
export function hostFieldOf(type: RegistryTypeKey, credentials: RegistryCredentials): CredentialKey {
  const hostFields = HOST_FIELDS[type];
  return hostFields.find((key) => nonBlank(credentials[key] as string | undefined)) ?? hostFields[0] ?? "url";
}

/**
 * The body path of a field the engine names by its own input (`username`, `password`, `url`):
 * the inverse of {@link connectionInputFromCredentials}, for warnings and refusals.
 */
export function credentialPathOf(type: RegistryTypeKey, credentials: RegistryCredentials, enginePath: string): string {
  const signIn = getRegistryType(type).signIn(credentials);
  switch (enginePath) {
    case "":
    case "image":
    case "type":
    case "credentials":
      return enginePath;
    case "password":
      return signIn.kind === "basic" ? `credentials.${signIn.secretField}` : "credentials";
    case "username":
      return signIn.kind === "basic" ? `credentials.${signIn.usernameField ?? signIn.secretField}` : "credentials";
    case "url":
      return `credentials.${hostFieldOf(type, credentials)}`;
    default:
      return `credentials.${enginePath}`;
  }
}

/** A saved registry as the secret rule needs it (a row, or the DTO a form edits). */
export interface SavedBinding {
  type: string;
  url: string;
  plainHttp: boolean;
  credentials: unknown;
  /** The secret fields stored for it. */
  secretFields: readonly string[];
}

/**
 * The one rule for stored secrets when a saved registry is given new `credentials` (a write, a
 * test override, an edit form): they are kept only while the binding stays as saved, never
 * those given anew or cleared. `missing` lists what must be entered, saying why when the
 * binding changed. Pure: the server enforces it, the form shows it.
 */
export function storedSecretsRule(saved: SavedBinding, credentials: RegistryCredentials, change: { given: readonly string[]; cleared: readonly string[] }) {
  const type = saved.type as RegistryTypeKey;
  const bindingChange = bindingChanges(storedBindingOf(saved), bindingOf(type, credentials));
  const kept = bindingChange ? [] : saved.secretFields.filter((f) => !change.given.includes(f) && !change.cleared.includes(f));
  const again = bindingChange && `Required: the registry ${bindingChange.subject} changed, so enter this secret again`;
  const missing: FieldIssue[] = findMissingCredentials(type, credentials, kept).map((issue) =>
    again && isSecretField(issue.path.replace(/^credentials\./, "")) ? { path: issue.path, message: again } : issue,
  );
  return { kept, bindingChange, missing };
}
