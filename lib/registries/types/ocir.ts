/**
 * Oracle Cloud Infrastructure Registry: `TENANCY-NAMESPACE/USER` (or, for federated users,
 * `TENANCY-NAMESPACE/oracleidentitycloudservice/USER`) and an auth token, at `REGION-KEY.ocir.io`.
 */
import { usernameIssue, SAME_HOST, defineRegistryType, issues, userAndSecret, type ProviderHints } from "./definition";
import { field } from "./fields";

const OCIR_HOST = /^[a-z0-9-]+\.ocir\.io$/;

const hints: ProviderHints = {
  credentialHint:
    "For OCIR the username is TENANCY-NAMESPACE/USER (TENANCY-NAMESPACE/oracleidentitycloudservice/USER for federated users) and the password an auth token, not the console password.",
  permissionHint: "Give the user's group a policy allowing it to read repos in the tenancy or compartment (e.g. allow group pullers to read repos in tenancy).",
  realmHosts: SAME_HOST,
  usernameWarning: (username) =>
    username.includes("/")
      ? undefined
      : "OCIR usernames start with the tenancy namespace: TENANCY-NAMESPACE/USER (the namespace is on the tenancy's details page)",
};

export const ocir = defineRegistryType({
  key: "ocir",
  label: "Oracle Cloud Infrastructure Registry",
  icon: "oracle",
  docsUrl: "https://docs.oracle.com/en-us/iaas/Content/Registry/Tasks/registrypushingimagesusingthedockercli.htm",
  help:
    "Generate an auth token for the user (Profile → Auth tokens; it is shown once) and sign in as " +
    "TENANCY-NAMESPACE/USER, or TENANCY-NAMESPACE/oracleidentitycloudservice/USER for a federated user. The login " +
    "server is REGION-KEY.ocir.io for the region of the repositories, e.g. iad.ocir.io (Ashburn) or fra.ocir.io (Frankfurt).",
  fields: [
    field("loginServer", {
      required: true,
      placeholder: "iad.ocir.io",
      help: "REGION-KEY.ocir.io for the repositories' region, e.g. iad.ocir.io or fra.ocir.io.",
    }),
    field("username", {
      required: true,
      placeholder: "mytenancy/jane@example.com",
      help: "TENANCY-NAMESPACE/USER, or TENANCY-NAMESPACE/oracleidentitycloudservice/USER for a federated user.",
    }),
    field("token", { required: true, help: "An auth token of the user (not the console password)." }),
  ],
  defaultHost: null,
  hostPattern: { description: "REGION-KEY.ocir.io (e.g. iad.ocir.io)", regex: OCIR_HOST, hint: "OCIR login servers look like REGION-KEY.ocir.io, e.g. iad.ocir.io." },
  hostOf: ({ loginServer }) => loginServer,
  genericBody: { credentials: (url, s) => ({ loginServer: url.host, username: s.username, token: s.token ?? s.password }) },
  signIn: userAndSecret(["token"]),
  hints,
  conventions: ({ loginServer, username }) =>
    issues(
      loginServer &&
        !OCIR_HOST.test(loginServer) && { key: "loginServer", message: "OCIR login servers look like REGION-KEY.ocir.io, e.g. iad.ocir.io: check the region key" },
      usernameIssue(hints, username),
    ),
});
