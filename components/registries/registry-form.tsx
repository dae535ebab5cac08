"use client";

import { useMemo, useState } from "react";
import { FormProvider, useForm, useWatch } from "react-hook-form";
import { Card } from "@/components/ui/card";
import {
  getRegistryType,
  isRegistryTypeKey,
  parseRegistryInput,
  type RegistryInput,
  type RegistryInputIn,
  type RegistryTypeKey,
} from "@/lib/registries/schemas";
import { CredentialsSection } from "./form/credentials-section";
import { FormActions } from "./form/form-actions";
import { FormErrorSummary } from "./form/form-error-summary";
import { ImageField } from "./form/image-field";
import { RegistrySection } from "./form/registry-section";
import { useFormConnectionTest } from "./form/use-form-connection-test";
import { useLeaveGuard } from "./form/use-leave-guard";
import { useSaveRegistry } from "./form/use-save-registry";
import { useServerErrors } from "./form/use-server-errors";
import { editAnalysis, forType, makeResolver, schemaFor, toLocalInput, type EditedRegistry, type Mode } from "./form/validation";
import { TestConnectionPanel } from "./test-connection";

/**
 * Add and edit a registry. The form renders from the catalogue and validates with the server's
 * own zod schema (create, or replace with "leave blank to keep" secrets); Save posts through the
 * server actions, Test Connection through fetch to the API so it can be cancelled.
 */
export function RegistryForm({
  mode,
  companyId,
  companySlug,
  initialType = "ghcr",
  registry,
}: {
  mode: Mode;
  companyId: string;
  companySlug: string;
  initialType?: RegistryTypeKey;
  registry?: EditedRegistry;
}) {
  const listHref = `/${companySlug}/settings/registries`;
  const defaultValues = useMemo<RegistryInputIn>(
    () =>
      registry
        ? { name: registry.name, type: registry.type, scheduledChecks: registry.scheduledChecks, expiresAt: toLocalInput(registry.expiresAt), credentials: { ...(registry.credentials as RegistryInputIn["credentials"]) } }
        : { name: "", type: initialType, scheduledChecks: true, credentials: {} },
    [registry, initialType],
  );
  const resolver = useMemo(() => makeResolver(mode, registry), [mode, registry]);
  const form = useForm<RegistryInputIn, unknown, RegistryInput>({ defaultValues, resolver, mode: "onBlur", reValidateMode: "onChange" });
  const { register, handleSubmit, control, clearErrors, formState } = form;
  const values = useWatch({ control }) as RegistryInputIn;
  const typeKey: RegistryTypeKey = isRegistryTypeKey(values.type) ? values.type : initialType;
  const type = getRegistryType(typeKey);
  const [image, setImage] = useState("");

  // Conventions (a token without the provider's prefix…) as the user types: warnings, never errors.
  const live = useMemo(() => parseRegistryInput(schemaFor(mode), forType({ ...values, name: values.name || "x" })), [values, mode]);
  const warnings = live.ok ? Object.fromEntries(live.warnings.map((w) => [w.path, w.message])) : {};
  const edit = mode === "edit" && registry ? editAnalysis(values, registry) : null;
  const fingerprint = JSON.stringify([forType(values), image.trim()]);

  const allowLeave = useLeaveGuard(formState.isDirty);
  const { formError, setFormError, formErrorRef, applyFieldErrors } = useServerErrors(form, values, type?.fields.map((f) => f.name) ?? []);
  // A test that learns an ECR registry's URL raises its version by one: Save then sends the new one.
  const [version, setVersion] = useState(registry?.version);
  const test = useFormConnectionTest({ mode, companyId, registry, form, image, fingerprint, edit, applyFieldErrors, onUrlLearned: () => setVersion((v) => (v === undefined ? v : v + 1)) });
  const saved = useMemo(() => (registry && version !== undefined ? { ...registry, version } : registry), [registry, version]);
  const onSave = useSaveRegistry({ mode, companyId, companySlug, registry: saved, setFormError, applyFieldErrors, formErrorRef, allowLeave });

  const testNote = test.state.phase === "done" && test.state.result.status !== "success" ? (test.state.result.status === "not_verified" ? "not_verified" : "failed") : null;
  const stale = test.state.phase === "done" && test.state.fingerprint !== fingerprint;
  const nameError = formState.errors.name?.message;
  const credentialErrors = (formState.errors.credentials ?? {}) as Record<string, { message?: string } | undefined>;
  const invalidCount = (nameError ? 1 : 0) + Object.values(credentialErrors).filter((e) => e?.message).length;
  const typeRegistration = register("type", {
    onChange: (e: React.ChangeEvent<HTMLSelectElement>) => {
      // A new type means new fields: old errors and the last result no longer apply.
      clearErrors("credentials");
      test.reset();
      const url = new URL(window.location.href);
      url.searchParams.set("type", e.target.value);
      window.history.replaceState(null, "", url);
    },
  });

  return (
    <FormProvider {...form}>
      <form
        noValidate
        onSubmit={(e) => {
          setFormError(null);
          void handleSubmit(onSave)(e);
        }}
        className="space-y-5"
        aria-describedby="registry-form-required"
      >
        <FormErrorSummary serverError={formError} focusRef={formErrorRef} invalidCount={invalidCount} submitted={formState.submitCount > 0} />

        <Card>
          <RegistrySection
            mode={mode}
            typeKey={typeKey}
            typeRegistration={typeRegistration}
            nameRegistration={register("name")}
            nameError={nameError}
            scheduledChecksRegistration={register("scheduledChecks")}
            expiresAtRegistration={register("expiresAt")}
            expiresAtError={formState.errors.expiresAt?.message}
          />
          <CredentialsSection mode={mode} typeKey={typeKey} registry={registry} edit={edit} errors={credentialErrors} warnings={warnings} />
        </Card>

        <Card>
          <TestConnectionPanel
            state={test.state}
            stale={stale}
            onTest={test.run}
            onCancel={test.cancel}
            hint={
              mode === "edit" && !edit?.bindingChange
                ? "Berth signs in with the values above; secrets left blank are taken from the saved registry. Nothing is saved."
                : "Berth looks up the host, checks its TLS certificate, and signs in with the values above. Nothing is saved."
            }
            imageInput={<ImageField value={image} onChange={setImage} onEnter={test.run} />}
          />
        </Card>

        <FormActions listHref={listHref} submitting={formState.isSubmitting} testNote={testNote} />
      </form>
    </FormProvider>
  );
}
