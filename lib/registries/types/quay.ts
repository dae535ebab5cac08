/** Red Hat Quay (quay.io or self-hosted): a robot account `org+name` and its token. */
import { SAME_HOST, defineRegistryType, userAndSecret } from "./definition";
import { TLS_FIELDS, field } from "./fields";

export const quay = defineRegistryType({
  key: "quay",
  label: "Red Hat Quay",
  icon: "redhat",
  docsUrl: "https://docs.quay.io/glossary/robot-accounts.html",
  help:
    "Use a robot account (organisation → Robot Accounts) with Read permission on the repositories: its name " +
    "looks like myorg+puller and its token is shown in the robot's credentials. For a self-hosted Quay, set " +
    "Registry URL to its host.",
  fields: [
    field("username", { required: true, placeholder: "myorg+puller", help: "A robot account (organisation+name) or your Quay user name." }),
    field("token", { required: true, help: "The robot account's token, or a user's encrypted password or application token." }),
    field("url", { placeholder: "quay.io", help: "Leave blank for quay.io; the host of a self-hosted Quay otherwise." }),
    ...TLS_FIELDS,
  ],
  defaultHost: "quay.io",
  hostPattern: { description: "quay.io, or your Quay host", regex: /^quay\.io$/ },
  genericBody: {
    credentials: (url, s) => ({ username: s.username, token: s.token ?? s.password, ...(url.pathPrefix ? { url: `${url.host}/${url.pathPrefix}` } : {}) }),
  },
  signIn: userAndSecret(["token"]),
  hints: {
    credentialHint:
      "For Quay use a robot account (username org+robotname and its token) or your username with an encrypted password / application token.",
    permissionHint: "Give the robot account read permission on the repository (Repository settings > User and robot permissions).",
    realmHosts: SAME_HOST,
  },
});
