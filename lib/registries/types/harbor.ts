/** Harbor (self-hosted): a robot account `robot$name` and its secret. */
import { usernameIssue, SAME_HOST, defineRegistryType, issues, userAndSecret, type ProviderHints } from "./definition";
import { TLS_FIELDS, field } from "./fields";

const hints: ProviderHints = {
  credentialHint:
    "For Harbor use a robot account: the username includes the prefix, e.g. robot$project+name, and the secret shown when it was created.",
  permissionHint: "Give the robot account the pull permission on the project.",
  realmHosts: SAME_HOST,
  usernameWarning: (username) =>
    username.startsWith("robot_") ? "Harbor 2 robot accounts are named robot$name (with a dollar sign); robot_ is the Harbor 1 form." : undefined,
};

export const harbor = defineRegistryType({
  key: "harbor",
  label: "Harbor",
  icon: "harbor",
  docsUrl: "https://goharbor.io/docs/main/working-with-projects/project-configuration/create-robot-accounts/",
  help:
    "Create a robot account (the project's Robot Accounts tab, or Administration → Robot Accounts for several " +
    "projects) with the Pull repository permission. Its name looks like robot$name or robot$project+name and " +
    "its secret is shown once.",
  fields: [
    field("url", { required: true, placeholder: "harbor.example.com", help: "The Harbor host." }),
    field("username", { required: true, placeholder: "robot$puller", help: "A robot account (robot$name or robot$project+name) or a Harbor user." }),
    field("password", { required: true, help: "The robot account's secret, shown once when it is created." }),
    ...TLS_FIELDS,
  ],
  defaultHost: null,
  hostPattern: { description: "your Harbor host", regex: null },
  signIn: userAndSecret(["password"]),
  hints,
  conventions: ({ username }) => issues(usernameIssue(hints, username)),
});
