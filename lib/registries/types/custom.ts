/** Any registry speaking the Docker Registry HTTP API v2: a username and password, or a token. */
import { defineRegistryType, issues } from "./definition";
import { ECR_HOST, ecr } from "./ecr";
import { TLS_FIELDS, field } from "./fields";

/** The host of a canonical `url` value (`[http://]host[:port][/prefix]`). */
function hostOfUrl(url: string | undefined): string | undefined {
  return url?.replace(/^http:\/\//, "").split("/")[0]?.replace(/:\d+$/, "");
}

export const custom = defineRegistryType({
  key: "custom",
  label: "Custom / self-hosted",
  icon: "server",
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
  defaultHost: null,
  hostPattern: { description: "any registry host", regex: null },
  signIn: ({ username, password, token }) => {
    // A token without a username is an identity (refresh) token, Docker's `<token>` convention:
    // the engine then uses the OAuth2 refresh-token form, falling back to Basic.
    if (!username && !password && token) return { kind: "basic", username: "<token>", password: token, secretField: "token" };
    const secretField = password || !token ? "password" : "token";
    return { kind: "basic", username, password: password ?? token, usernameField: "username", secretField };
  },
  hints: {
    credentialHint: "Check the username and password or token for this registry.",
    permissionHint: "Ask the registry's administrator for pull permission.",
  },
  requires: (_, has) => {
    if (has("username") === has("password")) {
      return has("username") || has("token")
        ? []
        : issues(
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
    issues(
      ECR_HOST.test(hostOfUrl(url) ?? "") && {
        key: "url",
        message:
          `${ecr.label} passwords expire after 12 hours: choose the ${ecr.label} type with an access key, so fresh ones are fetched when needed`,
      },
    ),
});
