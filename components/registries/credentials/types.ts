import type { CredentialField } from "@/lib/registries/schemas";

/** The form path of a credential field. */
export type CredentialPath = `credentials.${CredentialField["name"]}`;

/** The attributes every credential control gets: its id and its ARIA state. */
export interface ControlProps {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
  "aria-required": true | undefined;
}

export interface SecretState {
  /** Edit form: the stored value exists (shown as "Set"; blank keeps it). */
  set: boolean;
  /** Edit form: the host changed, so this secret must be entered again. */
  requiredAgain: boolean;
}
