/** GitLab Container Registry (gitlab.com or self-managed): a deploy token or an access token. */
import { defineRegistryType, issues, secretPrefixIssue, userAndSecret, type ProviderHints } from "./definition";
import { TLS_FIELDS, field } from "./fields";

const hints: ProviderHints = {
  credentialHint:
    "For GitLab use a deploy token (username gitlab+deploy-token-N, token gldt-…) or your username with a personal access token (glpat-…) with read_registry.",
  permissionHint: "The token needs the read_registry scope and at least Reporter access to the project.",
  // gitlab.com's registry hands out tokens from gitlab.com; a self-managed one from wherever it is configured.
  realmHosts: (host) => (host === "registry.gitlab.com" ? ["gitlab.com"] : []),
  secretPrefixes: ["glpat-", "gldt-", "gloas-", "glcbt-"],
  secretPrefixHint: "GitLab tokens usually start with glpat- (access token) or gldt- (deploy token): check that the whole token was pasted",
};

export const gitlab = defineRegistryType({
  key: "gitlab",
  label: "GitLab Container Registry",
  icon: "gitlab",
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
    field("token", { required: true, placeholder: "gldt-… or glpat-…", help: "A deploy token or an access token with the read_registry scope." }),
    field("url", { placeholder: "registry.gitlab.com", help: "Leave blank for registry.gitlab.com; your registry host for GitLab self-managed." }),
    ...TLS_FIELDS,    field("detectExpiry", { help: "Berth asks GitLab (personal_access_tokens/self) when the token expires, when you save and after each successful test. Works for personal, project and group access tokens, not deploy tokens." }),
    field("expiryApiUrl", { placeholder: "https://gitlab.com", help: "Your GitLab instance for self-managed GitLab (https://gitlab.example.com). Changing it requires the token again." }),
  ],
  defaultHost: "registry.gitlab.com",
  hostPattern: { description: "registry.gitlab.com, or your GitLab registry host", regex: /^registry\.gitlab\.com$/ },
  genericBody: {
    credentials: (url, s) => ({ username: s.username, token: s.token ?? s.password, ...(url.pathPrefix ? { url: `${url.host}/${url.pathPrefix}` } : {}) }),
  },
  signIn: userAndSecret(["token"]),
  bindsAlso: ["expiryApiUrl"],
  expiryDetection: { provider: "gitlab", defaultApiUrl: "https://gitlab.com" },
  hints,
  conventions: ({ token }) => issues(secretPrefixIssue(hints, "token", token)),
});
