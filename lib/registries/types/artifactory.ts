/** JFrog Artifactory: a user and an identity or access token, on SERVER/REPO or REPO.SERVER. */
import { defineRegistryType, userAndSecret } from "./definition";
import { TLS_FIELDS, field } from "./fields";

export const artifactory = defineRegistryType({
  key: "artifactory",
  label: "JFrog Artifactory",
  icon: "jfrog",
  docsUrl: "https://jfrog.com/help/r/jfrog-artifactory-documentation/access-tokens",
  help:
    "Use a user with read permission on the Docker repository and an identity or access token as the password " +
    "(your profile → Generate an Identity Token). Registry URL is the server followed by the repository key for " +
    "the repository-path method (art.example.com/docker-remote), or the repository's subdomain " +
    "(docker-remote.art.example.com).",
  fields: [
    field("url", { required: true, placeholder: "art.example.com/docker-remote", help: "The server and repository key, or the repository's subdomain." }),
    field("username", { required: true, placeholder: "ci-puller" }),
    field("password", { required: true, help: "An identity or access token (recommended), or the user's password." }),
    ...TLS_FIELDS,
  ],
  defaultHost: null,
  hostPattern: { description: "SERVER/REPOSITORY or REPOSITORY.SERVER", regex: null },
  signIn: userAndSecret(["password"]),
  hints: {
    credentialHint:
      "For Artifactory use your username with an identity token or API key, and check the repository path prefix (SERVER/REPO) or the REPO.SERVER host.",
    permissionHint: "Give the user Read permission on the Docker repository (Permissions > Repositories).",
    notFoundHint:
      "For Artifactory, use the Docker repository host (REPO.SERVER) or SERVER with the repository as path prefix, and check the Docker access method.",
  },
});
