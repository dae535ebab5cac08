/**
 * The registry type catalogue (SPEC section 2): one entry per type. The form
 * renders from it, the zod schemas in `types.ts` are built from it and the
 * host rules in `url.ts` read it. Adding a type means adding one entry here
 * (and its connection check).
 *
 * Client-safe and import-free apart from the field table: `url.ts` imports
 * this module, so it must not import `url.ts` back.
 */
import {
  TLS_FIELDS,
  GCR_HOSTNAMES,
  field,
  type CredentialField,
  type CredentialKey,
  type RegistryCredentials,
} from "./fields";

export interface FieldProblem {
  key: CredentialKey;
  message: string;
}

export interface RegistryTypeDefinition {
  /** Option text of the "Registry type" select (SPEC section 2). */
  label: string;
  /** Short icon id; the UI maps it to an SVG. */
  icon: string;
  /** The host used when the user enters none; null when a host must be entered. */
  defaultHost: string | null;
  /** Which hosts belong to the provider; `regex` (lower-case host, no port) is null for "any host". */
  hostPattern: { description: string; regex: RegExp | null };
  /** The provider's documentation on creating pull credentials. */
  docsUrl: string;
  help: string;
  /** In form order. */
  fields: readonly CredentialField[];
  /**
   * The host[:port][/prefix] the credentials are bound to, from validated
   * credentials. Default: the `url` field, else `defaultHost`.
   */
  hostOf?: (credentials: RegistryCredentials) => string | undefined;
  /**
   * Requirements beyond the fields' `required` flags (either/or rules,
   * value-dependent ones). `has` treats secrets kept from the stored row as present.
   */
  requires?: (credentials: RegistryCredentials, has: (key: CredentialKey) => boolean) => FieldProblem[];
  /** Convention checks on validated credentials: warnings, never errors. */
  conventions?: (credentials: RegistryCredentials) => FieldProblem[];
}

type Maybe<T> = T | false | null | undefined | "";
const problems = (...items: Maybe<FieldProblem>[]): FieldProblem[] =>
  items.filter((item): item is FieldProblem => Boolean(item));

/** `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]` */
const ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;
/** Azure's own naming rule for login servers; anything else is only a warning (private DNS, sovereign clouds). */
const ACR_LOGIN_SERVER = /^[a-z0-9]{5,50}(-[a-z0-9]+)?\.azurecr\.(io|cn|us)$/;

/** Artifact Registry locations (cloud.google.com/artifact-registry/docs/repositories/repo-locations). */
const GAR_LOCATIONS = new Set(
  [
    "us europe asia",
    "africa-south1 asia-east1 asia-east2 asia-northeast1 asia-northeast2 asia-northeast3 asia-south1",
    "asia-south2 asia-southeast1 asia-southeast2 australia-southeast1 australia-southeast2",
    "europe-central2 europe-north1 europe-north2 europe-southwest1 europe-west1 europe-west2 europe-west3",
    "europe-west4 europe-west6 europe-west8 europe-west9 europe-west10 europe-west12",
    "me-central1 me-central2 me-west1 northamerica-northeast1 northamerica-northeast2 northamerica-south1",
    "southamerica-east1 southamerica-west1 us-central1 us-east1 us-east4 us-east5 us-south1",
    "us-west1 us-west2 us-west3 us-west4",
  ]
    .join(" ")
    .split(" "),
);

/** The host of a canonical `url` value (`[http://]host[:port][/prefix]`). */
function hostOfUrl(url: string | undefined): string | undefined {
  return url?.replace(/^http:\/\//, "").split("/")[0]?.replace(/:\d+$/, "");
}

const CATALOGUE = {
  ghcr: {
    label: "GitHub Container Registry",
    icon: "github",
    defaultHost: "ghcr.io",
    hostPattern: { description: "ghcr.io, optionally with an owner path (ghcr.io/my-org)", regex: /^ghcr\.io$/ },
    docsUrl:
      "https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry#authenticating-with-a-personal-access-token-classic",
    help:
      "Use a classic personal access token with the read:packages scope (GitHub → Settings → Developer settings → " +
      "Personal access tokens → Tokens (classic)) and the GitHub user name that owns it. GitHub Packages does not " +
      "accept fine-grained tokens. To keep one token per organisation, set Registry URL to ghcr.io/ORGANISATION.",
    fields: [
      field("username", {
        required: true,
        placeholder: "my-github-user",
        help: "The GitHub user that owns the token.",
      }),
      field("token", {
        required: true,
        placeholder: "ghp_…",
        help: "A classic personal access token with the read:packages scope.",
      }),
      field("url", {
        format: "providerUrl",
        placeholder: "ghcr.io/my-org",
        help: "Optional: ghcr.io followed by an organisation or user, to keep one token per owner.",
      }),
    ],
    conventions: ({ token }) =>
      problems(
        token?.startsWith("github_pat_") && {
          key: "token",
          message:
            "GitHub Packages does not accept fine-grained tokens (github_pat_…): use a classic personal access token with the read:packages scope",
        },
        token &&
          !/^(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_)/.test(token) && {
            key: "token",
            message:
              "GitHub tokens start with ghp_, gho_, ghu_, ghs_ or ghr_: use a classic personal access token with the read:packages scope",
          },
      ),
  },

  dockerhub: {
    label: "Docker Hub",
    icon: "docker",
    defaultHost: "docker.io",
    hostPattern: {
      description: "docker.io (also index.docker.io, registry-1.docker.io), optionally with a namespace path",
      regex: /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)$/,
    },
    docsUrl: "https://docs.docker.com/security/access-tokens/",
    help:
      "Create a personal access token with Read-only access in Docker Hub (Account settings → Personal access " +
      "tokens) and use it as the password with your Docker ID; an organisation access token works too. Your " +
      "account password also signs in, but it cannot be limited to pulls or revoked on its own, and it is refused " +
      "when your organisation enforces single sign-on.",
    fields: [
      field("username", { required: true, placeholder: "my-docker-id", help: "Your Docker ID." }),
      field("password", {
        required: true,
        placeholder: "dckr_pat_…",
        help: "A personal access token with Read-only access, not your account password.",
      }),
      field("url", {
        format: "providerUrl",
        placeholder: "docker.io/my-org",
        help: "Optional: docker.io followed by a namespace, to keep separate credentials per namespace.",
      }),
    ],
    // index.docker.io and registry-1.docker.io are the same registry: bind to the name images use.
    hostOf: ({ url }) => url?.replace(/^(?:index|registry-1)\.docker\.io(?=\/|$)/, "docker.io"),
    conventions: ({ password }) =>
      problems(
        password &&
          !/^dckr_(pat|oat)_/.test(password) && {
            key: "password",
            message:
              "Use an access token, not your account password: Docker Hub access tokens start with dckr_pat_",
          },
      ),
  },

  ecr: {
    label: "Amazon ECR",
    icon: "aws",
    defaultHost: null,
    hostPattern: { description: "ACCOUNT.dkr.ecr.REGION.amazonaws.com", regex: ECR_HOST },
    docsUrl: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html",
    help:
      "Create an IAM user with the AmazonEC2ContainerRegistryReadOnly policy (at least ecr:GetAuthorizationToken, " +
      "ecr:BatchGetImage and ecr:GetDownloadUrlForLayer) and an access key for it. Berth exchanges the key for a " +
      "12-hour registry token whenever one is needed, so the key itself only ever goes to the AWS API. Set " +
      "Registry ID to pull from a registry of another account.",
    fields: [
      field("accessKeyId", { required: true }),
      field("secretAccessKey", { required: true }),
      field("sessionToken"),
      field("region", {
        required: true,
        format: "awsRegion",
        placeholder: "us-east-1",
        help: "The region of the registry, e.g. us-east-1 or eu-west-1.",
      }),
      field("registryId"),
    ],
    /**
     * Without a registry ID the registry is the default one of the key's own
     * account, known only after GetAuthorizationToken: the host is then the
     * placeholder `*.dkr.ecr.REGION.amazonaws.com` ("any account in REGION"),
     * which is deliberately not a valid host name.
     */
    hostOf: ({ region, registryId }) =>
      region &&
      `${registryId || "*"}.dkr.ecr.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`,
    requires: ({ accessKeyId }, has) =>
      problems(
        accessKeyId?.startsWith("ASIA") &&
          !has("sessionToken") && {
            key: "sessionToken",
            message: "Required for temporary (ASIA…) access keys",
          },
      ),
    conventions: ({ accessKeyId, secretAccessKey, sessionToken }) =>
      problems(
        secretAccessKey &&
          secretAccessKey.length !== 40 && {
            key: "secretAccessKey",
            message: "AWS secret access keys are 40 characters long: check that the whole key was pasted",
          },
        accessKeyId?.startsWith("ASIA") && {
          key: "accessKeyId",
          message:
            "Temporary (ASIA…) credentials expire, usually within hours: use an IAM user's access key (AKIA…) for a registry that keeps working",
        },
        accessKeyId?.startsWith("AKIA") &&
          sessionToken && {
            key: "sessionToken",
            message: "A session token is only used with temporary (ASIA…) access keys: leave it blank for an AKIA… key",
          },
      ),
  },

  acr: {
    label: "Azure Container Registry",
    icon: "azure",
    defaultHost: null,
    hostPattern: {
      description: "NAME.azurecr.io (.azurecr.cn, .azurecr.us)",
      regex: /^[a-z0-9-]+\.azurecr\.(?:io|cn|us)$/,
    },
    docsUrl: "https://learn.microsoft.com/en-us/azure/container-registry/container-registry-authentication",
    help:
      "Use a service principal or a repository-scoped token with the AcrPull role (the registry's Access control " +
      "or Tokens page), or the admin user from Access keys. For a service principal the username is its " +
      "application (client) ID and the password its client secret. The login server is shown on the registry's " +
      "Overview page.",
    fields: [
      field("loginServer", { required: true }),
      field("username", {
        required: true,
        placeholder: "myregistry",
        help: "The admin user (the registry name), a service principal's application ID, or a token name.",
      }),
      field("password", {
        required: true,
        help: "The admin password, the service principal's client secret, or the token's password.",
      }),
    ],
    hostOf: ({ loginServer }) => loginServer,
    conventions: ({ loginServer }) =>
      problems(
        loginServer &&
          !ACR_LOGIN_SERVER.test(loginServer) && {
            key: "loginServer",
            message:
              "Azure login servers look like myregistry.azurecr.io (or .azurecr.cn, .azurecr.us): check the name on the registry's Overview page",
          },
      ),
  },

  gcr: {
    label: "Google Container Registry",
    icon: "google-cloud",
    defaultHost: "gcr.io",
    hostPattern: { description: "gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io", regex: /^(?:[a-z0-9-]+\.)?gcr\.io$/ },
    docsUrl: "https://cloud.google.com/artifact-registry/docs/transition/gcr-repositories",
    help:
      "Create a service account with the Artifact Registry Reader role (Storage Object Viewer on projects still " +
      "served by Container Registry), create a JSON key for it and paste the whole key file. Berth signs in as " +
      "_json_key. Container Registry is deprecated: gcr.io hosts are now served by Artifact Registry, and the same " +
      "key keeps working.",
    fields: [
      field("hostname", { help: "The Container Registry host of your images. Defaults to gcr.io." }),
      field("serviceAccountKey", { required: true }),
    ],
    hostOf: ({ hostname }) => hostname,
    conventions: ({ hostname }) =>
      problems(
        hostname &&
          !GCR_HOSTNAMES.some((option) => option.value === hostname) && {
            key: "hostname",
            message: "Container Registry hosts are gcr.io, us.gcr.io, eu.gcr.io and asia.gcr.io: check the host",
          },
      ),
  },

  gar: {
    label: "Google Artifact Registry",
    icon: "google-cloud",
    defaultHost: null,
    hostPattern: { description: "REGION-docker.pkg.dev", regex: /^[a-z0-9-]+-docker\.pkg\.dev$/ },
    docsUrl: "https://cloud.google.com/artifact-registry/docs/docker/authentication#json-key",
    help:
      "Create a service account with the Artifact Registry Reader role on the repository or its project, create a " +
      "JSON key for it and paste the whole key file. Region is the repository's location, e.g. us-central1, " +
      "europe-west1, or a multi-region (us, europe, asia); Berth signs in to REGION-docker.pkg.dev as _json_key.",
    fields: [
      field("region", {
        required: true,
        format: "garRegion",
        placeholder: "us-central1",
        help: "The repository location: a region such as us-central1 or europe-west1, or a multi-region: us, europe or asia.",
      }),
      field("serviceAccountKey", { required: true }),
    ],
    hostOf: ({ region }) => region && `${region}-docker.pkg.dev`,
    conventions: ({ region }) =>
      problems(
        region &&
          !GAR_LOCATIONS.has(region) && {
            key: "region",
            message: `“${region}” is not a known Artifact Registry location: check the spelling (e.g. us-central1, europe-west1, us)`,
          },
      ),
  },

  quay: {
    label: "Red Hat Quay",
    icon: "redhat",
    defaultHost: "quay.io",
    hostPattern: { description: "quay.io, or your Quay host", regex: /^quay\.io$/ },
    docsUrl: "https://docs.quay.io/glossary/robot-accounts.html",
    help:
      "Use a robot account (organisation → Robot Accounts) with Read permission on the repositories: its name " +
      "looks like myorg+puller and its token is shown in the robot's credentials. For a self-hosted Quay, set " +
      "Registry URL to its host.",
    fields: [
      field("username", {
        required: true,
        placeholder: "myorg+puller",
        help: "A robot account (organisation+name) or your Quay user name.",
      }),
      field("token", {
        required: true,
        help: "The robot account's token, or a user's encrypted password or application token.",
      }),
      field("url", { placeholder: "quay.io", help: "Leave blank for quay.io; the host of a self-hosted Quay otherwise." }),
      ...TLS_FIELDS,
    ],
  },

  gitlab: {
    label: "GitLab Container Registry",
    icon: "gitlab",
    defaultHost: "registry.gitlab.com",
    hostPattern: { description: "registry.gitlab.com, or your GitLab registry host", regex: /^registry\.gitlab\.com$/ },
    docsUrl: "https://docs.gitlab.com/user/packages/container_registry/authenticate_with_container_registry/",
    help:
      "Use a deploy token (username gitlab+deploy-token-N, token gldt-…) or a personal, project or group access " +
      "token (glpat-…) with the read_registry scope. For GitLab self-managed, set Registry URL to your registry " +
      "host, optionally followed by a group or project path.",
    fields: [
      field("username", {
        required: true,
        placeholder: "gitlab+deploy-token-1",
        help: "The deploy token's username, or your GitLab user name for an access token.",
      }),
      field("token", {
        required: true,
        placeholder: "gldt-… or glpat-…",
        help: "A deploy token or an access token with the read_registry scope.",
      }),
      field("url", {
        placeholder: "registry.gitlab.com",
        help: "Leave blank for registry.gitlab.com; your registry host for GitLab self-managed.",
      }),
      ...TLS_FIELDS,
    ],
    conventions: ({ token }) =>
      problems(
        token &&
          !/^(glpat-|gldt-)/.test(token) && {
            key: "token",
            message:
              "GitLab tokens usually start with glpat- (access token) or gldt- (deploy token): check that the whole token was pasted",
          },
      ),
  },

  harbor: {
    label: "Harbor",
    icon: "harbor",
    defaultHost: null,
    hostPattern: { description: "your Harbor host", regex: null },
    docsUrl: "https://goharbor.io/docs/main/working-with-projects/project-configuration/create-robot-accounts/",
    help:
      "Create a robot account (the project's Robot Accounts tab, or Administration → Robot Accounts for several " +
      "projects) with the Pull repository permission. Its name looks like robot$name or robot$project+name and " +
      "its secret is shown once.",
    fields: [
      field("url", { required: true, placeholder: "harbor.example.com", help: "The Harbor host." }),
      field("username", {
        required: true,
        placeholder: "robot$puller",
        help: "A robot account (robot$name or robot$project+name) or a Harbor user.",
      }),
      field("password", { required: true, help: "The robot account's secret, shown once when it is created." }),
      ...TLS_FIELDS,
    ],
  },

  artifactory: {
    label: "JFrog Artifactory",
    icon: "jfrog",
    defaultHost: null,
    hostPattern: { description: "SERVER/REPOSITORY or REPOSITORY.SERVER", regex: null },
    docsUrl: "https://jfrog.com/help/r/jfrog-artifactory-documentation/access-tokens",
    help:
      "Use a user with read permission on the Docker repository and an identity or access token as the password " +
      "(your profile → Generate an Identity Token). Registry URL is the server followed by the repository key for " +
      "the repository-path method (art.example.com/docker-remote), or the repository's subdomain " +
      "(docker-remote.art.example.com).",
    fields: [
      field("url", {
        required: true,
        placeholder: "art.example.com/docker-remote",
        help: "The server and repository key, or the repository's subdomain.",
      }),
      field("username", { required: true, placeholder: "ci-puller" }),
      field("password", { required: true, help: "An identity or access token (recommended), or the user's password." }),
      ...TLS_FIELDS,
    ],
  },

  custom: {
    label: "Custom / self-hosted",
    icon: "server",
    defaultHost: null,
    hostPattern: { description: "any registry host", regex: null },
    docsUrl: "https://docs.docker.com/reference/cli/docker/login/",
    help:
      "Any registry that speaks the Docker Registry HTTP API v2 (CNCF Distribution, Nexus, Gitea, Zot…). Enter a " +
      "username and password, or a token. If the registry's certificate comes from a private CA, paste that CA " +
      "certificate rather than skipping verification.",
    fields: [
      field("url", { required: true, placeholder: "registry.example.com:5000" }),
      field("username", { help: "With a password; leave blank when you use a token." }),
      field("password"),
      field("token", { help: "Instead of a username and password." }),
      ...TLS_FIELDS,
    ],
    requires: (_, has) => {
      if (has("username") === has("password")) {
        return has("username") || has("token")
          ? []
          : problems(
              { key: "username", message: "Required, unless you enter a token" },
              { key: "password", message: "Required, unless you enter a token" },
            );
      }
      return has("username")
        ? has("token")
          ? []
          : [{ key: "password", message: "Required with a username (or enter a token instead)" }]
        : [{ key: "username", message: "Required with a password" }];
    },
    conventions: ({ url }) =>
      problems(
        ECR_HOST.test(hostOfUrl(url) ?? "") && {
          key: "url",
          message:
            "Amazon ECR passwords expire after 12 hours: choose the Amazon ECR type with an access key, so fresh ones are fetched when needed",
        },
      ),
  },

  public: {
    label: "Public (no auth)",
    icon: "globe",
    defaultHost: "docker.io",
    hostPattern: { description: "any registry host", regex: null },
    docsUrl: "https://docs.docker.com/docker-hub/usage/",
    help:
      "For public images that need no credentials, such as postgres:17-alpine. Leave Registry URL blank for " +
      "Docker Hub. Anonymous pulls from Docker Hub are rate-limited per IP address.",
    fields: [field("url", { placeholder: "docker.io", help: "Leave blank for Docker Hub." })],
  },
} satisfies Record<string, RegistryTypeDefinition>;

export type RegistryTypeKey = keyof typeof CATALOGUE;

export interface RegistryType extends RegistryTypeDefinition {
  key: RegistryTypeKey;
}

/** In the order of the "Registry type" select. */
export const REGISTRY_TYPE_KEYS = Object.keys(CATALOGUE) as [RegistryTypeKey, ...RegistryTypeKey[]];

export const REGISTRY_TYPES: readonly RegistryType[] = REGISTRY_TYPE_KEYS.map((key) => ({
  key,
  ...(CATALOGUE[key] as RegistryTypeDefinition),
}));

const BY_KEY = new Map<string, RegistryType>(REGISTRY_TYPES.map((type) => [type.key, type]));

export function isRegistryTypeKey(value: unknown): value is RegistryTypeKey {
  return typeof value === "string" && BY_KEY.has(value);
}

export function getRegistryType(key: RegistryTypeKey): RegistryType;
export function getRegistryType(key: string): RegistryType | undefined;
export function getRegistryType(key: string): RegistryType | undefined {
  return BY_KEY.get(key);
}
