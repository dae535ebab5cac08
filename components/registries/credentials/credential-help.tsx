import { Badge } from "@/components/ui/card";
import type { CredentialField } from "@/lib/registries/schemas";
import type { SecretState } from "./types";

/**
 * The help line under a credential. Editing, a secret says whether blank keeps it or it must be
 * entered again; skip-verify is explained away for plain http://; a host field notes a removed https://.
 */
export function credentialHelp({
  field,
  mode,
  secret,
  error,
  plainHttp,
  strippedHttps,
}: {
  field: CredentialField;
  mode: "create" | "edit";
  secret: SecretState | undefined;
  error: string | undefined;
  plainHttp: boolean;
  strippedHttps: boolean;
}): React.ReactNode {
  let help: React.ReactNode = field.help || null;
  if (mode === "edit" && field.secret) {
    help = secret?.requiredAgain ? (
      error ? null : (
        <>Enter it again: saved secrets are only ever sent to the host they were saved for.</>
      )
    ) : secret?.set ? (
      <>Leave blank to keep the current value.{field.help ? <> {field.help}</> : null}</>
    ) : (
      <>Not set. {field.help}</>
    );
  }
  if (field.name === "insecureSkipVerify" && plainHttp) help = "Not available for a plain http:// registry: there is no TLS to verify.";
  if (strippedHttps && (field.name === "url" || field.name === "loginServer")) {
    help = (
      <>
        <span className="font-medium text-zinc-700 dark:text-zinc-300">https:// removed</span>: Berth always connects over HTTPS unless you type http://.{" "}
        {field.help}
      </>
    );
  }
  return help;
}

/** Editing, beside a secret's label: "Set", "Set for the old host" or "Not set". */
export function SecretIndicator({ secret }: { secret: SecretState | undefined }) {
  if (!secret?.set) return <Badge>Not set</Badge>;
  return <Badge tone={secret.requiredAgain ? "warning" : "success"}>{secret.requiredAgain ? "Set for the old host" : "Set"}</Badge>;
}
