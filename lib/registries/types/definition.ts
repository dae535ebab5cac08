/**
 * What one registry type module says about its type: everything Berth knows
 * about a kind of registry, in one place. The form, the zod schemas, OpenAPI,
 * the generic-body mapping, the binding of secrets and Test Connection all
 * read these definitions; nothing else describes a type.
 *
 * Client-safe and free of imports beyond the field table: the URL normaliser
 * and the schemas import the type index, so a module must not import them back.
 */
import type { CredentialField, CredentialKey, RegistryCredentials, SecretField } from "./fields";

/** A convention or requirement problem of a credential, named by its key (`token`, not `credentials.token`). */
export interface CredentialIssue {
  key: CredentialKey;
  message: string;
}

/**
 * How a registry of the type signs in to the registry API with its stored credentials.
 * - `basic`: a username and a secret, sent as Basic credentials or to the token realm.
 *   `usernameField` is the credential holding the username (none when the type uses a fixed
 *   identity such as `_json_key`, or the token itself as the username); `secretField` is the
 *   credential that is the password.
 * - `anonymous`: no credentials at all (public registries).
 * - `exchange`: the stored credentials are exchanged for a registry password first (ECR's
 *   GetAuthorizationToken), in the Test Connection stage `stage`; the password then signs in as
 *   `username`. The exchange talks to the provider's API, so it lives in server code keyed by the
 *   type (`lib/registries/exchange/`).
 */
export type SignIn =
  | { kind: "basic"; username?: string; password?: string; usernameField?: CredentialKey; secretField: SecretField }
  | { kind: "anonymous" }
  | { kind: "exchange"; stage: ExchangeStage; username: string };

/** How a provider tells a token's expiry; see {@link RegistryTypeDefinition.expiryDetection}. */
export interface ExpiryDetection {
  provider: "github" | "gitlab";
  defaultApiUrl: string;
}

/** The API a registry's token expiry is read from: its own `expiryApiUrl`, else the type's default. */
export function expiryApiUrlOf(detection: ExpiryDetection, credentials: RegistryCredentials): string {
  return credentials.expiryApiUrl?.trim() || detection.defaultApiUrl;
}

/** The host shown in "Read the token's expiry from HOST" (the URL as typed when it does not parse). */
export function expiryApiHostOf(detection: ExpiryDetection, credentials: RegistryCredentials): string {
  const url = expiryApiUrlOf(detection, credentials);
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname.replace(/\/$/, "")}`;
  } catch {
    return url;
  }
}

/** The Test Connection stages that exchange credentials. */
export type ExchangeStage = "aws-auth";

/** The generic create body's credentials: `{url, username?, password?, token?}`. */
export interface GenericSecrets {
  username?: string;
  password?: string;
  token?: string;
}

/** The generic body's URL as normalised (host lower-cased, path prefix kept). */
export interface GenericUrl {
  host: string;
  pathPrefix: string;
}

/**
 * How the generic body maps to this type when its host matches the type's `hostPattern`.
 * The mapped body is validated like any typed body afterwards.
 */
export interface GenericBodyRule {
  /** The type signs in with this fixed username (Google's `_json_key`): the body must name it. */
  fixedUser?: string;
  credentials: (url: GenericUrl, secrets: GenericSecrets) => RegistryCredentials;
}

/** What Test Connection tells an operator, and what it knows about the provider's token service. */
export interface ProviderHints {
  /** What the credentials should be; appended to "credentials refused" messages. */
  credentialHint: string;
  /** Appended to "access denied" messages. */
  permissionHint: string;
  /** Appended when the registry's `/v2/` is not found (a wrong host or path). */
  notFoundHint?: string;
  /**
   * Hosts a genuine Bearer realm of this provider lives on, given the registry host (Docker Hub
   * as `docker.io`). Only checked for registries on the provider's own host (`hostPattern`);
   * none means any realm that passes the outbound policy.
   */
  realmHosts?: (registryHost: string) => string[];
  /** Usual prefixes of the secret: a warning when none matches. */
  secretPrefixes?: readonly string[];
  secretPrefixHint?: string;
  /** A warning about a username that does not follow the provider's conventions. */
  usernameWarning?: (username: string) => string | undefined;
}

export interface RegistryTypeDefinition<K extends string = string> {
  key: K;
  /** Option text of the "Registry type" select. */
  label: string;
  /** Icon id; the UI maps it to a picture (an unknown id shows a generic server). */
  icon: string;
  /** The provider's documentation on creating pull credentials. */
  docsUrl: string;
  help: string;
  /** In form order. */
  fields: readonly CredentialField[];
  /** The host used when the user enters none; null when a host must be entered. */
  defaultHost: string | null;
  /**
   * Which hosts belong to the provider: `regex` (lower-case host, no port) is null for "any
   * host"; `hint` is said when a registry of this type lives elsewhere.
   */
  hostPattern: { description: string; regex: RegExp | null; hint?: string };
  /**
   * The `host[:port][/prefix]` the secrets are bound to, from validated credentials.
   * Default: the `url` field, else `defaultHost`.
   */
  hostOf?: (credentials: RegistryCredentials) => string | undefined;
  /** Credentials beyond host and TLS trust that are part of the binding (ECR: region, registry id). */
  bindsAlso?: readonly CredentialKey[];
  /**
   * A type whose registry host is told by the provider at the first exchange (ECR without a
   * registry ID): the bound URL is then a placeholder, and `matches` says which real hosts it
   * stands for. The learned host is stored as the registry's URL; the binding stays the
   * configured one (the provider, not the user, chose the host).
   */
  learnsHost?: { isPlaceholder: (url: string) => boolean; matches: (host: string, url: string) => boolean };
  /** Present when the generic body maps to this type by host. */
  genericBody?: GenericBodyRule;
  signIn: (credentials: RegistryCredentials) => SignIn;
  hints: ProviderHints;
  /**
   * Requirements beyond the fields' `required` flags (either/or rules, value-dependent ones).
   * `has` treats secrets kept from the stored row as present.
   */
  requires?: (credentials: RegistryCredentials, has: (key: CredentialKey) => boolean) => CredentialIssue[];
  /** Convention checks on validated credentials: warnings, never errors. */
  conventions?: (credentials: RegistryCredentials) => CredentialIssue[];
  /**
   * Where a token's expiry can be read from the provider (opt-in per registry with the
   * `detectExpiry` credential, because the token then goes to the provider's API host):
   * `provider` names the protocol (server code in `lib/registries/expiry/`), `defaultApiUrl` the
   * API a registry uses unless it names its own `expiryApiUrl` (which is part of the binding).
   */
  expiryDetection?: ExpiryDetection;
  /**
   * The key of `.dockerconfigjson`'s `auths` for this registry, from its bound URL
   * (`host[:port][/prefix]`). Default: the URL itself.
   */
  dockerConfigKey?: (url: string) => string;
}

type Maybe<T> = T | false | null | undefined | "";

/** The truthy items: lets conventions be written as a list of `condition && issue`. */
export function issues(...items: Maybe<CredentialIssue>[]): CredentialIssue[] {
  return items.filter((item): item is CredentialIssue => Boolean(item));
}

/** A warning when `secret` lacks every one of the type's usual prefixes (none when it has no rule). */
export function secretPrefixIssue(hints: ProviderHints, key: CredentialKey, secret: string | undefined): CredentialIssue | undefined {
  if (!secret || !hints.secretPrefixes || !hints.secretPrefixHint) return undefined;
  return hints.secretPrefixes.some((prefix) => secret.startsWith(prefix)) ? undefined : { key, message: hints.secretPrefixHint };
}

/** The type's username warning as a convention issue. */
export function usernameIssue(hints: ProviderHints, username: string | undefined): CredentialIssue | undefined {
  const message = username ? hints.usernameWarning?.(username) : undefined;
  return message ? { key: "username", message } : undefined;
}

/** Types whose username and token-or-password sign in as Basic credentials (the common case). */
export function userAndSecret(secretFields: readonly SecretField[]) {
  return (credentials: RegistryCredentials): SignIn => {
    const secretField = secretFields.find((field) => credentials[field]) ?? secretFields[0]!;
    return { kind: "basic", username: credentials.username, password: credentials[secretField], usernameField: "username", secretField };
  };
}

/** The realm lives on the registry's own host. */
export const SAME_HOST = (host: string) => [host];

/** Checks a module's definition at its own declaration, keeping its literal key type. */
export function defineRegistryType<const K extends string>(definition: RegistryTypeDefinition<K>): RegistryTypeDefinition<K> {
  return definition;
}
