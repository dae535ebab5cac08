/** Azure Container Registry: the admin user, a service principal or a repository-scoped token. */
import { SAME_HOST, defineRegistryType, issues, userAndSecret } from "./definition";
import { field } from "./fields";

/** Azure's own naming rule for login servers; anything else is only a warning (private DNS, sovereign clouds). */
const ACR_LOGIN_SERVER = /^[a-z0-9]{5,50}(-[a-z0-9]+)?\.azurecr\.(io|cn|us)$/;

export const acr = defineRegistryType({
  key: "acr",
  label: "Azure Container Registry",
  icon: "azure",
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
    field("password", { required: true, help: "The admin password, the service principal's client secret, or the token's password." }),
  ],
  defaultHost: null,
  hostPattern: {
    description: "NAME.azurecr.io (.azurecr.cn, .azurecr.us)",
    regex: /^[a-z0-9-]+\.azurecr\.(?:io|cn|us)$/,
    hint: "ACR login servers look like NAME.azurecr.io.",
  },
  hostOf: ({ loginServer }) => loginServer,
  genericBody: {
    credentials: (url, s) => ({ loginServer: url.host, username: s.username, password: s.password ?? s.token }),
  },
  signIn: userAndSecret(["password"]),
  hints: {
    credentialHint:
      "For ACR use the admin user (Access keys blade) or a service principal's application (client) ID and secret with the AcrPull role.",
    permissionHint: "Give the service principal or token the AcrPull role (or a scope map allowing content/read).",
    realmHosts: SAME_HOST,
  },
  conventions: ({ loginServer }) =>
    issues(
      loginServer &&
        !ACR_LOGIN_SERVER.test(loginServer) && {
          key: "loginServer",
          message:
            "Azure login servers look like myregistry.azurecr.io (or .azurecr.cn, .azurecr.us): check the name on the registry's Overview page",
        },
    ),
});
