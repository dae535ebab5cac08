import { useFormContext } from "react-hook-form";
import type { CredentialField, RegistryInputIn } from "@/lib/registries/schemas";
import type { ControlProps, CredentialPath } from "./types";

/** A checkbox credential (skip TLS verification): unavailable, with a note, for a plain http:// registry. */
export function CheckboxCredential({
  field,
  name,
  control,
  disabled,
  warning,
  help,
}: {
  field: CredentialField;
  name: CredentialPath;
  control: ControlProps;
  disabled: boolean;
  warning?: string;
  help: React.ReactNode;
}) {
  const { register } = useFormContext<RegistryInputIn>();
  const { id } = control;
  return (
    <div className="space-y-1">
      <div className="flex items-start gap-2.5">
        <input
          type="checkbox"
          {...register(name)}
          {...control}
          disabled={disabled}
          className="mt-0.5 h-4 w-4 rounded border-zinc-300 text-brand-600 accent-brand-600 disabled:opacity-50 dark:border-zinc-600"
        />
        <label htmlFor={id} className={`text-sm font-medium ${disabled ? "text-zinc-400 dark:text-zinc-500" : "text-zinc-800 dark:text-zinc-200"}`}>
          {field.label}
        </label>
      </div>
      {warning && !disabled ? (
        <p id={`${id}-warning`} className="pl-6.5 text-xs text-amber-800 dark:text-amber-300">
          {warning}
        </p>
      ) : null}
      <p id={`${id}-help`} className="pl-6.5 text-xs text-zinc-500 dark:text-zinc-400">
        {help}
      </p>
    </div>
  );
}
