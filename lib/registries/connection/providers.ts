/**
 * Per-provider knowledge used by Test Connection: what to tell an operator
 * when credentials are refused, which hosts a type usually lives at, which
 * token service a provider's challenge points to, and token conventions.
 * Pure data and functions (REGISTRY-PROTOCOL.md section 3).
 */
import { isDockerHubHost } from "./target";
import type { RegistryType } from "./types";

export interface ProviderRules {
  label: string;
  /** What the credentials should be; appended to invalid_credentials messages. */
  credentialHint: string;
  /** Appended to forbidden messages. */
  permissionHint: string;
  /** Host the type usually lives at (a warning when another host is used). */
  hostPattern?: RegExp;
  hostHint?: string;
  /** Hosts a genuine Bearer realm of this provider points to, given the registry host. */
  realmHosts?: (registryHost: string) => string[];
  /** Usual prefixes of the secret (a warning when none matches). */
  secretPrefixes?: readonly string[];
  secretPrefixHint?: string;
}

const SAME_HOST = (host: string) => [host];

export const PROVIDERS: Record<RegistryType, ProviderRules> = {
  ghcr: {
    label: "GitHub Container Registry",
    credentialHint:
      "For GHCR use your GitHub username and a classic personal access token with read:packages (fine-grained tokens are not accepted).",
    permissionHint: "Check that the token has read:packages and that the package grants your account or organisation access.",
    hostPattern: /^ghcr\.io$/,
    hostHint: "GitHub Container Registry lives at ghcr.io (add /org as a path prefix).",
    realmHosts: () => ["ghcr.io"],
    secretPrefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    secretPrefixHint: "GitHub tokens usually start with ghp_ (classic personal access token).",
  },
  dockerhub: {
    label: "Docker Hub",
    credentialHint:
      "For Docker Hub use your Docker ID (not the e-mail address) and a personal access token (dckr_pat_…) with read access; accounts with 2FA need a token.",
    permissionHint: "Check that the access token's scope includes read access and that your account can see the repository.",
    hostPattern: /^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/,
    hostHint: "Docker Hub lives at docker.io.",
    realmHosts: () => ["auth.docker.io"],
  },
  ecr: {
    label: "Amazon ECR",
    credentialHint: "Use an access key of an IAM identity allowed ecr:GetAuthorizationToken.",
    permissionHint: "The IAM identity needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository.",
    hostPattern: /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/,
    hostHint: "ECR hosts look like ACCOUNT.dkr.ecr.REGION.amazonaws.com.",
  },
  acr: {
    label: "Azure Container Registry",
    credentialHint:
      "For ACR use the admin user (Access keys blade) or a service principal's application (client) ID and secret with the AcrPull role.",
    permissionHint: "Give the service principal or token the AcrPull role (or a scope map allowing content/read).",
    hostPattern: /^[a-z0-9]{5,50}(-[a-z0-9]+)?\.azurecr\.(io|cn|us)$/,
    hostHint: "ACR login servers look like NAME.azurecr.io.",
    realmHosts: SAME_HOST,
  },
  gcr: {
    label: "Google Container Registry",
    credentialHint:
      "For GCR the username is _json_key and the password the whole service-account key JSON; the account needs Storage Object Viewer or Artifact Registry Reader.",
    permissionHint: "Give the service account the Artifact Registry Reader (or Storage Object Viewer) role on the project.",
    hostPattern: /^([a-z]+\.)?gcr\.io$/,
    hostHint: "GCR hosts are gcr.io, us.gcr.io, eu.gcr.io or asia.gcr.io.",
    realmHosts: (host) => [host, "gcr.io"],
  },
  gar: {
    label: "Google Artifact Registry",
    credentialHint:
      "For Artifact Registry the username is _json_key and the password the whole service-account key JSON with the Artifact Registry Reader role.",
    permissionHint: "Give the service account the Artifact Registry Reader role on the repository or project.",
    hostPattern: /^[a-z0-9-]+-docker\.pkg\.dev$/,
    hostHint: "Artifact Registry hosts look like REGION-docker.pkg.dev.",
    realmHosts: SAME_HOST,
  },
  quay: {
    label: "Red Hat Quay",
    credentialHint:
      "For Quay use a robot account (username org+robotname and its token) or your username with an encrypted password / application token.",
    permissionHint: "Give the robot account read permission on the repository (Repository settings > User and robot permissions).",
    realmHosts: SAME_HOST,
  },
  gitlab: {
    label: "GitLab Container Registry",
    credentialHint:
      "For GitLab use a deploy token (username gitlab+deploy-token-N, token gldt-…) or your username with a personal access token (glpat-…) with read_registry.",
    permissionHint: "The token needs the read_registry scope and at least Reporter access to the project.",
    realmHosts: (host) => (host === "registry.gitlab.com" ? ["gitlab.com"] : []),
    secretPrefixes: ["glpat-", "gldt-", "gloas-", "glcbt-"],
    secretPrefixHint: "GitLab tokens usually start with glpat- (personal) or gldt- (deploy token).",
  },
  harbor: {
    label: "Harbor",
    credentialHint:
      "For Harbor use a robot account: the username includes the prefix, e.g. robot$project+name, and the secret shown when it was created.",
    permissionHint: "Give the robot account the pull permission on the project.",
    realmHosts: SAME_HOST,
  },
  artifactory: {
    label: "JFrog Artifactory",
    credentialHint:
      "For Artifactory use your username with an identity token or API key, and check the repository path prefix (SERVER/REPO) or the REPO.SERVER host.",
    permissionHint: "Give the user Read permission on the Docker repository (Permissions > Repositories).",
  },
  custom: {
    label: "Custom registry",
    credentialHint: "Check the username and password or token for this registry.",
    permissionHint: "Ask the registry's administrator for pull permission.",
  },
  public: {
    label: "Public registry",
    credentialHint: "This registry wants credentials: choose the registry's own type and add them.",
    permissionHint: "The image is not public; choose the registry's own type and add credentials.",
  },
};

export function providerRules(type: string): ProviderRules {
  return PROVIDERS[type as RegistryType] ?? PROVIDERS.custom;
}

/** A warning when the host does not look like the type's usual host (undefined when it does). */
export function hostWarning(type: string, hostname: string): string | undefined {
  const rules = providerRules(type);
  if (!rules.hostPattern || rules.hostPattern.test(hostname)) return undefined;
  return `${hostname} does not look like a ${rules.label} host. ${rules.hostHint ?? ""}`.trim();
}

/** A warning when a Bearer realm points to a host the provider does not use. */
export function realmWarning(type: string, registryHost: string, realmHost: string): string | undefined {
  const rules = providerRules(type);
  const host = isDockerHubHost(registryHost) ? "docker.io" : registryHost;
  if (!rules.realmHosts || (rules.hostPattern && !rules.hostPattern.test(registryHost))) return undefined;
  const expected = rules.realmHosts(host);
  if (expected.length === 0 || expected.includes(realmHost)) return undefined;
  return `The registry's token service is ${realmHost}, not ${expected.join(" or ")} as usual for ${rules.label}; the credentials were sent there.`;
}

/** A warning when a secret lacks the provider's usual prefix. */
export function secretPrefixWarning(type: string, secret: string | undefined): string | undefined {
  const rules = providerRules(type);
  if (!secret || !rules.secretPrefixes) return undefined;
  return rules.secretPrefixes.some((prefix) => secret.startsWith(prefix)) ? undefined : rules.secretPrefixHint;
}

/** A warning for usernames that do not follow the provider's robot conventions. */
export function usernameWarning(type: string, username: string | undefined): string | undefined {
  if (!username) return undefined;
  if (type === "harbor" && username.startsWith("robot_")) {
    return "Harbor 2 robot accounts are named robot$name (with a dollar sign); robot_ is the Harbor 1 form.";
  }
  if (type === "dockerhub" && username.includes("@")) return "Docker Hub wants your Docker ID, not the e-mail address.";
  return undefined;
}
