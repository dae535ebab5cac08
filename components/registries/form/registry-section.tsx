import type { UseFormRegisterReturn } from "react-hook-form";
import { Input } from "@/components/ui/input";
import { getRegistryType } from "@/lib/registries/schemas";
import { FormField, describedBy } from "../form-field";
import { TypeHelp } from "./type-help";
import { TypeSelect } from "./type-select";

/** The form's first section: type, name, scheduled checks, and what the chosen type is. */
export function RegistrySection({
  mode,
  typeKey,
  typeRegistration,
  nameRegistration,
  nameError,
  scheduledChecksRegistration,
  expiresAtRegistration,
  expiresAtError,
}: {
  mode: "create" | "edit";
  typeKey: string;
  typeRegistration: UseFormRegisterReturn<"type">;
  nameRegistration: UseFormRegisterReturn<"name">;
  nameError: string | undefined;
  scheduledChecksRegistration: UseFormRegisterReturn<"scheduledChecks">;
  expiresAtRegistration: UseFormRegisterReturn<"expiresAt">;
  expiresAtError: string | undefined;
}) {
  const type = getRegistryType(typeKey);
  // Exchanged credentials (ECR) have no expiry of their own: the registry's page shows the last exchange.
  const hasExpiry = type?.signIn({}).kind !== "exchange" && type?.key !== "public";
  return (
    <section aria-labelledby="registry-section-title" className="space-y-5 p-5">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="registry-section-title" className="text-sm font-semibold">
          Registry
        </h2>
        <p id="registry-form-required" className="text-xs text-zinc-500 dark:text-zinc-400">
          <span aria-hidden="true" className="text-red-600 dark:text-red-400">
            *
          </span>{" "}
          marks a required field
        </p>
      </div>
      <div className="grid gap-5 sm:grid-cols-2">
        <TypeSelect mode={mode} typeKey={typeKey} label={type?.label} registration={typeRegistration} />
        <FormField id="field-name" label="Name" required error={nameError} help="How people recognise it, e.g. “GitHub – acme-org”. Unique in this company.">
          <Input
            id="field-name"
            {...nameRegistration}
            aria-invalid={nameError ? true : undefined}
            aria-required
            aria-describedby={describedBy("field-name", { error: nameError, help: true })}
            autoComplete="off"
            maxLength={100}
            data-1p-ignore="true"
            data-lpignore="true"
          />
        </FormField>
        {hasExpiry ? (
          <FormField
            id="field-expiresAt"
            label="Token expires on"
            error={expiresAtError}
            help={
              type?.expiryDetection
                ? "Optional: this token expires on… (your local time). Berth warns 14 days before. Leave blank to let Berth read it from the provider when the option below is on."
                : "Optional: this token expires on… (your local time). Berth warns 14 days before and counts it as expired after."
            }
          >
            <Input
              id="field-expiresAt"
              type="datetime-local"
              {...expiresAtRegistration}
              aria-invalid={expiresAtError ? true : undefined}
              aria-describedby={describedBy("field-expiresAt", { error: expiresAtError, help: true })}
            />
          </FormField>
        ) : null}
      </div>
      <div className="space-y-1">
        <div className="flex items-start gap-2.5">
          <input
            id="field-scheduled-checks"
            type="checkbox"
            {...scheduledChecksRegistration}
            aria-describedby="field-scheduled-checks-help"
            className="mt-0.5 h-4 w-4 rounded border-zinc-300 text-brand-600 accent-brand-600 dark:border-zinc-600"
          />
          <label htmlFor="field-scheduled-checks" className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
            Scheduled health checks
          </label>
        </div>
        <p id="field-scheduled-checks-help" className="pl-6.5 text-xs text-zinc-500 dark:text-zinc-400">
          Berth signs in with the saved credentials on a schedule (login only, no image pull) and shows the registry as failing after two failed checks in a row.
        </p>
      </div>
      {type ? <TypeHelp typeKey={typeKey} label={type.label} help={type.help} docsUrl={type.docsUrl} /> : null}
    </section>
  );
}
