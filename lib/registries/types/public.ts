/** A public registry, pulled from anonymously: no credentials at all. */
import { defineRegistryType } from "./definition";
import { field } from "./fields";

export const publicRegistry = defineRegistryType({
  key: "public",
  label: "Public (no auth)",
  icon: "globe",
  docsUrl: "https://docs.docker.com/docker-hub/usage/",
  help:
    "For public images that need no credentials, such as postgres:17-alpine. Leave Registry URL blank for " +
    "Docker Hub. Anonymous pulls from Docker Hub are rate-limited per IP address.",
  fields: [field("url", { placeholder: "docker.io", help: "Leave blank for Docker Hub." })],
  defaultHost: "docker.io",
  hostPattern: { description: "any registry host", regex: null },
  signIn: () => ({ kind: "anonymous" }),
  hints: {
    credentialHint: "This registry wants credentials: choose the registry's own type and add them.",
    permissionHint: "The image is not public; choose the registry's own type and add credentials.",
  },
});
