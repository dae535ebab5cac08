/** Google Artifact Registry: a service-account key for `REGION-docker.pkg.dev`, signed in as `_json_key`. */
import { SAME_HOST, defineRegistryType, issues } from "./definition";
import { field } from "./fields";
import { JSON_KEY_USER, googleSignIn } from "./google";

/** Artifact Registry locations (cloud.google.com/artifact-registry/docs/repositories/repo-locations). */
const GAR_LOCATIONS = new Set(
  [
    "us europe asia",
    "africa-south1 asia-east1 asia-east2 asia-northeast1 asia-northeast2 asia-northeast3 asia-south1",
    "asia-south2 asia-southeast1 asia-southeast2 australia-southeast1 australia-southeast2",
    "europe-central2 europe-north1 europe-north2 europe-southwest1 europe-west1 europe-west2 europe-west3",
    "europe-west4 europe-west6 europe-west8 europe-west9 europe-west10 europe-west12",
    "me-central1 me-central2 me-west1 northamerica-northeast1 northamerica-northeast2 northamerica-south1",
    "southamerica-east1 southamerica-west1 us-central1 us-east1 us-east4 us-east5 us-south1",
    "us-west1 us-west2 us-west3 us-west4",
  ]
    .join(" ")
    .split(" "),
);

export const gar = defineRegistryType({
  key: "gar",
  label: "Google Artifact Registry",
  icon: "google-cloud",
  docsUrl: "https://cloud.google.com/artifact-registry/docs/docker/authentication#json-key",
  help:
    "Create a service account with the Artifact Registry Reader role on the repository or its project, create a " +
    "JSON key for it and paste the whole key file. Region is the repository's location, e.g. us-central1, " +
    "europe-west1, or a multi-region (us, europe, asia); Berth signs in to REGION-docker.pkg.dev as _json_key.",
  fields: [
    field("region", {
      required: true,
      format: "garRegion",
      placeholder: "us-central1",
      help: "The repository location: a region such as us-central1 or europe-west1, or a multi-region: us, europe or asia.",
    }),
    field("serviceAccountKey", { required: true }),
  ],
  defaultHost: null,
  hostPattern: {
    description: "REGION-docker.pkg.dev",
    regex: /^[a-z0-9-]+-docker\.pkg\.dev$/,
    hint: "Artifact Registry hosts look like REGION-docker.pkg.dev.",
  },
  hostOf: ({ region }) => region && `${region}-docker.pkg.dev`,
  genericBody: {
    fixedUser: JSON_KEY_USER,
    credentials: (url, s) => ({ region: url.host.replace(/-docker\.pkg\.dev$/, ""), serviceAccountKey: s.password ?? s.token }),
  },
  signIn: googleSignIn,
  hints: {
    credentialHint:
      "For Artifact Registry the username is _json_key and the password the whole service-account key JSON with the Artifact Registry Reader role.",
    permissionHint: "Give the service account the Artifact Registry Reader role on the repository or project.",
    realmHosts: SAME_HOST,
  },
  conventions: ({ region }) =>
    issues(
      region &&
        !GAR_LOCATIONS.has(region) && {
          key: "region",
          message: `“${region}” is not a known Artifact Registry location: check the spelling (e.g. us-central1, europe-west1, us)`,
        },
    ),
});
