/**
 * Maps a registry's typed credentials (SPEC section 5 field names) to the
 * engine's input: which host to call and which secret to send. Pure.
 */
import type { ConnectionInput } from "./types";

/** The credential fields of every registry type (SPEC section 5). */
export interface RegistryCredentialFields {
  username?: string;
  password?: string;
  token?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  region?: string;
  registryId?: string;
  loginServer?: string;
  serviceAccountKey?: string;
  hostname?: string;
  url?: string;
  caCertificate?: string;
  insecureSkipVerify?: boolean;
}

export interface ConnectionInputExtras {
  /** The stored plain-HTTP flag; otherwise taken from an `http://` URL. */
  plainHttp?: boolean;
  image?: string;
}

const DEFAULT_HOSTS: Partial<Record<string, string>> = {
  ghcr: "ghcr.io",
  dockerhub: "docker.io",
  gcr: "gcr.io",
  quay: "quay.io",
  gitlab: "registry.gitlab.com",
  public: "docker.io",
};

/** Splits a typed URL into host and plain-HTTP flag (`http://` means plain HTTP). */
export function splitUrl(url: string | undefined): { host?: string; plainHttp?: boolean } {
  if (!url?.trim()) return {};
  const trimmed = url.trim();
  const match = /^(https?):\/\//i.exec(trimmed);
  const host = (match ? trimmed.slice(match[0].length) : trimmed).replace(/\/+$/, "");
  return { host, plainHttp: match ? match[1]?.toLowerCase() === "http" : undefined };
}

function hostFor(type: string, credentials: RegistryCredentialFields): string | undefined {
  const fromUrl = splitUrl(credentials.url).host;
  switch (type) {
    case "ecr":
      return credentials.registryId && credentials.region
        ? `${credentials.registryId}.dkr.ecr.${credentials.region}.amazonaws.com`
        : fromUrl;
    case "acr":
      return splitUrl(credentials.loginServer).host ?? fromUrl;
    case "gcr":
      return splitUrl(credentials.hostname).host ?? fromUrl ?? DEFAULT_HOSTS.gcr;
    case "gar":
      return fromUrl ?? (credentials.region ? `${credentials.region}-docker.pkg.dev` : undefined);
    default:
      return fromUrl ?? DEFAULT_HOSTS[type];
  }
}

function secretFor(type: string, credentials: RegistryCredentialFields): { username?: string; password?: string } {
  switch (type) {
    case "public":
    case "ecr": // exchanged for a registry password by GetAuthorizationToken (not supported yet)
      return {};
    case "gcr":
    case "gar":
      return { username: "_json_key", password: credentials.serviceAccountKey };
    case "ghcr":
    case "quay":
    case "gitlab":
      return { username: credentials.username, password: credentials.token ?? credentials.password };
    default:
      // A token without a username is an identity (refresh) token, Docker's `<token>` convention:
      // the engine then uses the OAuth2 refresh-token form, falling back to Basic.
      if (!credentials.username && !credentials.password && credentials.token) return { username: "<token>", password: credentials.token };
      return { username: credentials.username, password: credentials.password ?? credentials.token };
  }
}

/** The engine input for a registry of `type` with these credentials. */
export function connectionInputFromCredentials(
  type: string,
  credentials: RegistryCredentialFields,
  extras: ConnectionInputExtras = {},
): ConnectionInput {
  const host = hostFor(type, credentials) ?? "";
  const urlPlainHttp = type === "acr" ? splitUrl(credentials.loginServer).plainHttp : splitUrl(credentials.url).plainHttp;
  const { username, password } = secretFor(type, credentials);
  return {
    type,
    host,
    plainHttp: extras.plainHttp ?? urlPlainHttp ?? false,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(credentials.caCertificate ? { caCertificate: credentials.caCertificate } : {}),
    ...(credentials.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
    ...(extras.image ? { image: extras.image } : {}),
  };
}
