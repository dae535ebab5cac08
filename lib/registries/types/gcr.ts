/** Google Container Registry: a service-account key, signed in as `_json_key`. */
import { defineRegistryType, issues } from "./definition";
import { field, type FieldOption } from "./fields";

const GCR_HOSTNAMES: readonly FieldOption[] = [
  { value: "gcr.io", label: "gcr.io (United States)" },
  { value: "us.gcr.io", label: "us.gcr.io (United States)" },
  { value: "eu.gcr.io", label: "eu.gcr.io (European Union)" },
  { value: "asia.gcr.io", label: "asia.gcr.io (Asia)" },
];
import { JSON_KEY_USER, googleSignIn } from "./google";

export const gcr = defineRegistryType({
  key: "gcr",
  label: "Google Container Registry",
  icon: "google-cloud",
  docsUrl: "https://cloud.google.com/artifact-registry/docs/transition/gcr-repositories",
  help:
    "Create a service account with the Artifact Registry Reader role (Storage Object Viewer on projects still " +
    "served by Container Registry), create a JSON key for it and paste the whole key file. Berth signs in as " +
    "_json_key. Container Registry is deprecated: gcr.io hosts are now served by Artifact Registry, and the same " +
    "key keeps working.",
  fields: [
    field("hostname", { placeholder: "gcr.io", options: GCR_HOSTNAMES, help: "The Container Registry host of your images. Defaults to gcr.io." }),
    field("serviceAccountKey", { required: true }),
  ],
  defaultHost: "gcr.io",
  hostPattern: {
    description: "gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io",
    regex: /^(?:[a-z0-9-]+\.)?gcr\.io$/,
    hint: "GCR hosts are gcr.io, us.gcr.io, eu.gcr.io or asia.gcr.io.",
  },
  hostOf: ({ hostname }) => hostname,
  genericBody: { fixedUser: JSON_KEY_USER, credentials: (url, s) => ({ hostname: url.host, serviceAccountKey: s.password ?? s.token }) },
  signIn: googleSignIn,
  hints: {
    credentialHint:
      "For GCR the username is _json_key and the password the whole service-account key JSON; the account needs Storage Object Viewer or Artifact Registry Reader.",
    permissionHint: "Give the service account the Artifact Registry Reader (or Storage Object Viewer) role on the project.",
    realmHosts: (host) => [host, "gcr.io"],
  },
  conventions: ({ hostname }) =>
    issues(
      hostname &&
        !GCR_HOSTNAMES.some((option) => option.value === hostname) && {
          key: "hostname",
          message: "Container Registry hosts are gcr.io, us.gcr.io, eu.gcr.io and asia.gcr.io: check the host",
        },
    ),
});
