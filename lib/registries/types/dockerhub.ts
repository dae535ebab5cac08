/** Docker Hub: a Docker ID and a personal or organisation access token. */
import { usernameIssue, defineRegistryType, issues, secretPrefixIssue, userAndSecret, type ProviderHints } from "./definition";
import { field } from "./fields";

const hints: ProviderHints = {
  credentialHint:
    "For Docker Hub use your Docker ID (not the e-mail address) and a personal access token (dckr_pat_…) with read access; accounts with 2FA need a token.",
  permissionHint: "Check that the access token's scope includes read access and that your account can see the repository.",
  realmHosts: () => ["auth.docker.io"],
  secretPrefixes: ["dckr_pat_", "dckr_oat_"],
  secretPrefixHint: "Use an access token, not your account password: Docker Hub access tokens start with dckr_pat_",
  usernameWarning: (username) => (username.includes("@") ? "Docker Hub wants your Docker ID, not the e-mail address." : undefined),
};

export const dockerhub = defineRegistryType({
  key: "dockerhub",
  label: "Docker Hub",
  icon: "docker",
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
  defaultHost: "docker.io",
  hostPattern: {
    description: "docker.io (also index.docker.io, registry-1.docker.io), optionally with a namespace path",
    regex: /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)$/,
    hint: "Docker Hub lives at docker.io.",
  },
  // index.docker.io and registry-1.docker.io are the same registry: bind to the name images use.
  hostOf: ({ url }) => url?.replace(/^(?:index|registry-1)\.docker\.io(?=\/|$)/, "docker.io"),
  genericBody: {
    credentials: (url, s) => ({ username: s.username, password: s.password ?? s.token, ...(url.pathPrefix ? { url: `docker.io/${url.pathPrefix}` } : {}) }),
  },
  signIn: userAndSecret(["password"]),
  hints,
  conventions: ({ username, password }) =>
    issues(
      secretPrefixIssue(hints, "password", password),
      usernameIssue(hints, username),
    ),
  // Docker's own clients keep Docker Hub's credentials under its legacy v1 address.
  dockerConfigKey: (url) => (url === "docker.io" ? "https://index.docker.io/v1/" : url),
});
