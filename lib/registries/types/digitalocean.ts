/**
 * DigitalOcean Container Registry: one DigitalOcean API token, which is both the username and
 * the password at login (`docker login registry.digitalocean.com -u TOKEN -p TOKEN`).
 */
import { defineRegistryType, issues, secretPrefixIssue, type ProviderHints } from "./definition";
import { field } from "./fields";

const hints: ProviderHints = {
  credentialHint:
    "For DigitalOcean use an API token with read access to the registry (API → Tokens, scope registry:read); it is sent as both username and password.",
  permissionHint: "Give the token the registry:read scope, and check that the registry name in the path prefix is yours.",
  // The registry's token service is DigitalOcean's API.
  realmHosts: () => ["api.digitalocean.com"],
  secretPrefixes: ["dop_v1_", "doo_v1_"],
  secretPrefixHint: "DigitalOcean API tokens start with dop_v1_: check that the whole token was pasted",
};

export const digitalocean = defineRegistryType({
  key: "digitalocean",
  label: "DigitalOcean Container Registry",
  icon: "digitalocean",
  docsUrl: "https://docs.digitalocean.com/products/container-registry/how-to/use-registry-docker-kubernetes/",
  help:
    "Create an API token (Control panel → API → Tokens) with read access to the container registry; DigitalOcean " +
    "signs in with the token as both the username and the password. To keep one token per registry, set Registry " +
    "URL to registry.digitalocean.com/REGISTRY-NAME.",
  fields: [
    field("token", { required: true, placeholder: "dop_v1_…", help: "A DigitalOcean API token with read access to the registry." }),
    field("url", {
      format: "providerUrl",
      placeholder: "registry.digitalocean.com/my-registry",
      help: "Optional: registry.digitalocean.com followed by your registry's name.",
    }),
  ],
  defaultHost: "registry.digitalocean.com",
  hostPattern: {
    description: "registry.digitalocean.com, optionally with the registry name (registry.digitalocean.com/my-registry)",
    regex: /^registry\.digitalocean\.com$/,
    hint: "DigitalOcean Container Registry lives at registry.digitalocean.com (add /REGISTRY as a path prefix).",
  },
  // The generic body's username is ignored: the token is the username.
  genericBody: {
    credentials: (url, s) => ({ token: s.token ?? s.password, ...(url.pathPrefix ? { url: `${url.host}/${url.pathPrefix}` } : {}) }),
  },
  signIn: ({ token }) => ({ kind: "basic", username: token, password: token, secretField: "token" }),
  hints,
  conventions: ({ token }) => issues(secretPrefixIssue(hints, "token", token)),
});
