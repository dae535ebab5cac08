/** What Google's two registries share: a service-account key file, sent as the password of `_json_key`. */
import type { SignIn } from "./definition";
import type { RegistryCredentials } from "./fields";

/** Google's fixed username: the password is then a whole service-account key file (JSON). */
export const JSON_KEY_USER = "_json_key";

export const googleSignIn = (credentials: RegistryCredentials): SignIn => ({
  kind: "basic",
  username: JSON_KEY_USER,
  password: credentials.serviceAccountKey,
  secretField: "serviceAccountKey",
});
