import { Alert } from "@/components/ui/card";
import { getRegistryType } from "@/lib/registries/schemas";
import { CredentialInput } from "../credential-input";
import type { EditAnalysis, EditedRegistry, Mode } from "./validation";

/**
 * The chosen type's fields ("Credentials", or "Connection" for a type without secrets). Editing,
 * each secret shows whether it is set; a changed host says that the secrets must be entered again.
 */
export function CredentialsSection({
  mode,
  typeKey,
  registry,
  edit,
  errors,
  warnings,
}: {
  mode: Mode;
  typeKey: string;
  registry: EditedRegistry | undefined;
  edit: EditAnalysis | null;
  errors: Record<string, { message?: string } | undefined>;
  warnings: Record<string, string>;
}) {
  const type = getRegistryType(typeKey);
  return (
    <section aria-labelledby="credentials-section-title" className="space-y-5 border-t border-zinc-100 p-5 dark:border-zinc-800">
      <h2 id="credentials-section-title" className="text-sm font-semibold">
        {type && type.fields.some((f) => f.secret) ? "Credentials" : "Connection"}
      </h2>
      {edit?.bindingChange ? (
        <Alert tone="warning" role="note">
          {edit.bindingChange.subject === "host" ? (
            <>
              The registry host changes from <span className="font-mono text-xs">{edit.bindingChange.from}</span> to{" "}
              <span className="font-mono text-xs">{edit.bindingChange.to}</span>.
            </>
          ) : (
            <>The registry&apos;s {edit.bindingChange.subject} changes ({edit.bindingChange.parts.join(", ")}).</>
          )}{" "}
          Saved secrets are only ever sent where they were saved for, so enter them again.
        </Alert>
      ) : null}
      {type?.fields.length === 0 ? <p className="text-sm text-zinc-500">This type needs no credentials.</p> : null}
      {type?.fields.map((field) => (
        <CredentialInput
          key={field.name}
          field={field}
          mode={mode}
          secret={
            registry && field.secret
              ? {
                  set: registry.secretsSet.includes(field.name),
                  requiredAgain: !!edit?.bindingChange && (field.required || registry.secretsSet.includes(field.name)),
                }
              : undefined
          }
          error={errors[field.name]?.message}
          warning={warnings[`credentials.${field.name}`]}
        />
      ))}
    </section>
  );
}
