/** GitHub Container Registry: a GitHub user and a classic personal access token. */
import { defineRegistryType, issues, secretPrefixIssue, userAndSecret, type ProviderHints } from "./definition";
import { field } from "./fields";

const hints: ProviderHints = {
  credentialHint:
    "For GHCR use your GitHub username and a classic personal access token with read:packages (fine-grained tokens are not accepted).",
  permissionHint: "Check that the token has read:packages and that the package grants your account or organisation access.",
  realmHosts: () => ["ghcr.io"],
  secretPrefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
  secretPrefixHint:
    "GitHub tokens start with ghp_, gho_, ghu_, ghs_ or ghr_: use a classic personal access token with the read:packages scope",
};

export const ghcr = defineRegistryType({
  key: "ghcr",
  label: "GitHub Container Registry",
  icon: "github",
  docsUrl:
    "https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry#authenticating-with-a-personal-access-token-classic",
  help:
    "Use a classic personal access token with the read:packages scope (GitHub → Settings → Developer settings → " +
    "Personal access tokens → Tokens (classic)) and the GitHub user name that owns it. GitHub Packages does not " +
    "accept fine-grained tokens. To keep one token per organisation, set Registry URL to ghcr.io/ORGANISATION.",
  fields: [
    field("username", { required: true, placeholder: "my-github-user", help: "The GitHub user that owns the token." }),
    field("token", { required: true, placeholder: "ghp_…", help: "A classic personal access token with the read:packages scope." }),
    field("url", {
      format: "providerUrl",
      placeholder: "ghcr.io/my-org",
      help: "Optional: ghcr.io followed by an organisation or user, to keep one token per owner.",
    }),    field("detectExpiry"),
    field("expiryApiUrl", { placeholder: "https://api.github.com", help: "GitHub's API, or your GitHub Enterprise Server's (https://HOST/api/v3). Changing it requires the token again." }),
  ],
  defaultHost: "ghcr.io",
  hostPattern: {
    description: "ghcr.io, optionally with an owner path (ghcr.io/my-org)",
    regex: /^ghcr\.io$/,
    hint: "GitHub Container Registry lives at ghcr.io (add /org as a path prefix).",
  },
  genericBody: {
    credentials: (url, s) => ({ username: s.username, token: s.token ?? s.password, ...(url.pathPrefix ? { url: `${url.host}/${url.pathPrefix}` } : {}) }),
  },
  signIn: userAndSecret(["token"]),
  bindsAlso: ["expiryApiUrl"],
  expiryDetection: { provider: "github", defaultApiUrl: "https://api.github.com" },
  hints,
  conventions: ({ token }) =>
    issues(
      token?.startsWith("github_pat_")
        ? {
            key: "token",
            message:
              "GitHub Packages does not accept fine-grained tokens (github_pat_…): use a classic personal access token with the read:packages scope",
          }
        : secretPrefixIssue(hints, "token", token),
    ),
});
