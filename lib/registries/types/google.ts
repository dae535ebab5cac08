/** What Google's two registries share: a service-account key file, sent as the password of `_json_key`. */
import type { SignIn } from "./definition";
import type { RegistryCredentials } from "./fields";

export const googleSignIn = (credentials: RegistryCredentials): SignIn => ({
  kind: "basic",
  username: "_json_key",
  password: credentials.serviceAccountKey,
  secretField: "serviceAccountKey",
});
