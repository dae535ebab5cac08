"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { FormProvider, useForm, useWatch, type FieldErrors, type Resolver } from "react-hook-form";
import { createRegistryAction, updateRegistryAction } from "@/app/[company]/settings/registries/actions";
import { Button, buttonClass } from "@/components/ui/button";
import { Alert, Card } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { ExternalLinkIcon, Spinner } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";
import type { RegistryDto } from "@/lib/registries/dto";
import {
  REGISTRY_TYPES,
  createRegistrySchema,
  findMissingCredentials,
  getRegistryType,
  isRegistryTypeKey,
  isSecretField,
  parseRegistryInput,
  replaceRegistrySchema,
  type FieldIssue,
  type RegistryCredentials,
  type RegistryInput,
  type RegistryInputIn,
  type RegistryTypeKey,
} from "@/lib/registries/schemas";
import { bindingOf } from "@/lib/registries/url";
import { registryKeys, testSavedRegistry, validateRegistry } from "./api";
import { CredentialInput } from "./credential-input";
import { FormField, describedBy } from "./form-field";
import { RegistryIcon } from "./registry-icon";
import { TestConnectionPanel, useConnectionTest } from "./test-connection";

type Mode = "create" | "edit";
type EditedRegistry = Pick<RegistryDto, "id" | "name" | "type" | "url" | "plainHttp" | "isActive" | "credentials" | "secretsSet" | "version">;

/** Only the chosen type's fields are sent: values typed for another type stay in the form (switch back and they are still there) but never reach the server. */
function forType(values: RegistryInputIn): RegistryInputIn {
  const keys = new Set<string>(getRegistryType(values.type)?.fields.map((f) => f.name) ?? []);
  const credentials = Object.fromEntries(Object.entries(values.credentials ?? {}).filter(([key]) => keys.has(key)));
  return { name: values.name, type: values.type, credentials };
}

function nonBlank(credentials: RegistryInputIn["credentials"]): RegistryCredentials {
  return Object.fromEntries(
    Object.entries(credentials ?? {}).filter(([, v]) => v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "")),
  ) as RegistryCredentials;
}

/** Edit form: which credentials are missing, given the secrets the server keeps (none once the host changes). */
function editAnalysis(values: RegistryInputIn, registry: EditedRegistry) {
  const input = forType({ ...values, type: registry.type });
  const parsed = replaceRegistrySchema.safeParse(input);
  const credentials = parsed.success ? parsed.data.credentials : nonBlank(input.credentials);
  const next = bindingOf(registry.type, credentials);
  const hostChanged = next.url !== registry.url || next.plainHttp !== registry.plainHttp;
  const kept = hostChanged ? [] : registry.secretsSet;
  const missing = findMissingCredentials(registry.type, credentials, kept).map((issue) =>
    hostChanged && isSecretField(issue.path.replace(/^credentials\./, "")) ? { ...issue, message: "Required: the registry host changed, so enter this secret again" } : issue,
  );
  return { hostChanged, from: `${registry.plainHttp ? "http://" : ""}${registry.url}`, to: `${next.plainHttp ? "http://" : ""}${next.url}`, missing };
}

function withIssues(errors: FieldErrors<RegistryInputIn>, issues: FieldIssue[]): FieldErrors<RegistryInputIn> {
  const out = { ...errors, credentials: { ...(errors.credentials ?? {}) } } as Record<string, unknown> & { credentials: Record<string, unknown> };
  for (const issue of issues) {
    const key = issue.path.replace(/^credentials\./, "");
    if (issue.path.startsWith("credentials.") && !out.credentials[key]) out.credentials[key] = { type: "custom", message: issue.message };
  }
  if (Object.keys(out.credentials).length === 0) delete (out as { credentials?: unknown }).credentials;
  return out as FieldErrors<RegistryInputIn>;
}

function makeResolver(mode: Mode, registry: EditedRegistry | undefined): Resolver<RegistryInputIn, unknown, RegistryInput> {
  const base = zodResolver(mode === "create" ? createRegistrySchema : replaceRegistrySchema);
  return async (values, context, options) => {
    const result = await base(forType(values), context, options);
    if (mode !== "edit" || !registry) return result;
    const { missing } = editAnalysis(values, registry);
    if (missing.length === 0) return result;
    return { values: {}, errors: withIssues(result.errors, missing) };
  };
}

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
  const router = useRouter();
  const toast = useToast();
  const queryClient = useQueryClient();
  const listHref = `/${companySlug}/settings/registries`;

  const defaultValues = useMemo<RegistryInputIn>(
    () =>
      registry
        ? { name: registry.name, type: registry.type, credentials: { ...(registry.credentials as RegistryInputIn["credentials"]) } }
        : { name: "", type: initialType, credentials: {} },
    [registry, initialType],
  );
  const resolver = useMemo(() => makeResolver(mode, registry), [mode, registry]);
  const form = useForm<RegistryInputIn, unknown, RegistryInput>({
    defaultValues,
    resolver,
    mode: "onBlur",
    reValidateMode: "onChange",
  });
  const { register, handleSubmit, control, setError, clearErrors, getValues, formState } = form;
  const values = useWatch({ control }) as RegistryInputIn;
  const typeKey: RegistryTypeKey = isRegistryTypeKey(values.type) ? values.type : initialType;
  const type = getRegistryType(typeKey);

  // A server error stays until the form changes (a stale-version error stays for good).
  const [serverError, setServerError] = useState<{ message: React.ReactNode; at: string | null } | null>(null);
  const [image, setImage] = useState("");
  const formErrorRef = useRef<HTMLDivElement>(null);
  const submitted = useRef(false);

  // Conventions (a token without the provider's prefix…) as the user types: warnings, never errors.
  const live = useMemo(() => parseRegistryInput(mode === "create" ? createRegistrySchema : replaceRegistrySchema, forType({ ...values, name: values.name || "x" })), [values, mode]);
  const warnings = live.ok ? Object.fromEntries(live.warnings.map((w) => [w.path, w.message])) : {};
  const edit = mode === "edit" && registry ? editAnalysis(values, registry) : null;

  const fingerprint = JSON.stringify([forType(values), image.trim()]);
  const valuesFingerprint = JSON.stringify(forType(values));
  const formError = serverError && (serverError.at === null || serverError.at === valuesFingerprint) ? serverError.message : null;
  const setFormError = (message: React.ReactNode, sticky = false) =>
    setServerError(message === null ? null : { message, at: sticky ? null : JSON.stringify(forType(getValues())) });
  const applyServerErrors = (errors: { path: string; message: string }[], skipName = false): boolean => {
    let first = true;
    let mapped = false;
    for (const { path, message } of errors) {
      if (path === "name" && skipName) continue;
      const known = path === "name" || (path.startsWith("credentials.") && type?.fields.some((f) => `credentials.${f.name}` === path));
      if (!known) continue;
      setError(path as "name", { type: "server", message }, { shouldFocus: first });
      first = false;
      mapped = true;
    }
    return mapped;
  };
  const test = useConnectionTest((errors) => applyServerErrors(errors, true));

  // Leaving with unsaved changes (reload, close) asks first.
  useEffect(() => {
    if (!formState.isDirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      if (!submitted.current) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [formState.isDirty]);

  const runTest = () => {
    if (test.state.phase === "running") return;
    const current = getValues();
    const input = forType({ ...current, type: registry?.type ?? current.type, name: current.name.trim() || "Connection test" });
    const parsed = parseRegistryInput(mode === "create" ? createRegistrySchema : replaceRegistrySchema, input);
    const issues = [...(parsed.ok ? [] : parsed.errors.filter((e) => e.path !== "name")), ...(edit?.missing ?? [])];
    if (!parsed.ok || issues.length > 0) {
      clearErrors();
      applyServerErrors(issues);
      test.setState({ phase: "blocked", message: `fix the highlighted field${issues.length === 1 ? "" : "s"} first. Nothing was sent.` });
      return;
    }
    const data = parsed.data as RegistryInput;
    const imageRef = image.trim() || undefined;
    const binding = bindingOf(data.type, data.credentials);
    const target = binding.url || "the registry";
    if (mode === "edit" && registry && !edit?.hostChanged) {
      // Same host: the saved secrets are used for whatever is left blank.
      void test.start(target, fingerprint, (signal) => testSavedRegistry(companyId, registry.id, { credentials: data.credentials, ...(imageRef ? { image: imageRef } : {}) }, signal));
    } else {
      void test.start(target, fingerprint, (signal) => validateRegistry(companyId, { ...data, ...(imageRef ? { image: imageRef } : {}) }, signal));
    }
  };

  const onSave = async (data: RegistryInput) => {
    setFormError(null);
    const body = mode === "edit" && registry ? { ...data, type: registry.type, isActive: registry.isActive } : data;
    const result =
      mode === "edit" && registry
        ? await updateRegistryAction(companySlug, registry.id, body, `"${registry.version}"`)
        : await createRegistryAction(companySlug, body);
    if (!result.ok) {
      const mapped = applyServerErrors(Object.entries(result.fieldErrors).map(([path, message]) => ({ path, message })));
      if ("stale" in result && result.stale) {
        setFormError(
          <>
            Someone else changed this registry while you were editing it, so nothing was saved.{" "}
            <a href="" className="font-medium underline" onClick={() => (submitted.current = true)}>
              Reload the page
            </a>{" "}
            to see their version (your changes here will be lost).
          </>,
          true,
        );
      } else if (!mapped || Object.keys(result.fieldErrors).length === 0) {
        setFormError(result.error);
      } else {
        setFormError(`Nothing was saved: ${result.error.replace(/\.$/, "")}. Fix the highlighted fields.`);
      }
      if (!mapped) requestAnimationFrame(() => formErrorRef.current?.focus());
      return;
    }
    submitted.current = true;
    const dto = result.data;
    queryClient.removeQueries({ queryKey: registryKeys.all(companyId) });
    toast({
      tone: dto.warnings.length > 0 ? "warning" : "success",
      title: mode === "create" ? `Added ${dto.name}` : `Saved ${dto.name}`,
      description: dto.warnings.length > 0 ? dto.warnings.map((w) => w.message).join(" ") : undefined,
    });
    router.push(listHref);
  };

  const lastFailed = test.state.phase === "done" && test.state.result.status !== "success";
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
        {formError ? (
          <div ref={formErrorRef} tabIndex={-1} className="outline-none">
            <Alert>{formError}</Alert>
          </div>
        ) : invalidCount > 0 && formState.submitCount > 0 ? (
          <Alert>
            Nothing was saved: {invalidCount} field{invalidCount === 1 ? " needs" : "s need"} attention.
          </Alert>
        ) : null}

        <Card>
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
              <FormField
                id="field-type"
                label="Registry type"
                required={mode === "create"}
                help={mode === "edit" ? "The type cannot be changed. To use another type, add a new registry." : undefined}
              >
                <div className="relative">
                  <span className="pointer-events-none absolute top-1/2 left-2 -translate-y-1/2">
                    <RegistryIcon type={typeKey} className="h-5 w-5" />
                  </span>
                  {mode === "edit" ? (
                    <Select id="field-type" value={typeKey} disabled className="pl-9" aria-describedby="field-type-help">
                      <option value={typeKey}>{type?.label}</option>
                    </Select>
                  ) : (
                    <Select id="field-type" {...typeRegistration} className="pl-9">
                      {REGISTRY_TYPES.map((t) => (
                        <option key={t.key} value={t.key}>
                          {t.label}
                        </option>
                      ))}
                    </Select>
                  )}
                </div>
              </FormField>
              <FormField
                id="field-name"
                label="Name"
                required
                error={nameError}
                help="How people recognise it, e.g. “GitHub – acme-org”. Unique in this company."
              >
                <Input
                  id="field-name"
                  {...register("name")}
                  aria-invalid={nameError ? true : undefined}
                  aria-required
                  aria-describedby={describedBy("field-name", { error: nameError, help: true })}
                  autoComplete="off"
                  maxLength={100}
                  data-1p-ignore="true"
                  data-lpignore="true"
                />
              </FormField>
            </div>
            {type ? (
              <div className="flex gap-3 rounded-lg bg-zinc-50 p-3.5 text-sm ring-1 ring-zinc-200 ring-inset dark:bg-zinc-800/40 dark:ring-zinc-800">
                <RegistryIcon type={typeKey} className="mt-0.5 h-5 w-5 max-sm:hidden" />
                <div className="min-w-0 space-y-1.5">
                  <p className="text-zinc-700 dark:text-zinc-300">{type.help}</p>
                  <a
                    href={type.docsUrl}
                    target="_blank"
                    rel="noopener noreferrer"
                    className="inline-flex items-center gap-1 text-xs font-medium text-brand-600 hover:underline dark:text-brand-100"
                  >
                    {type.label} documentation
                    <ExternalLinkIcon />
                    <span className="sr-only">(opens in a new tab)</span>
                  </a>
                </div>
              </div>
            ) : null}
          </section>

          <section aria-labelledby="credentials-section-title" className="space-y-5 border-t border-zinc-100 p-5 dark:border-zinc-800">
            <h2 id="credentials-section-title" className="text-sm font-semibold">
              {type && type.fields.some((f) => f.secret) ? "Credentials" : "Connection"}
            </h2>
            {edit?.hostChanged ? (
              <Alert tone="warning" role="note">
                The registry host changes from <span className="font-mono text-xs">{edit.from}</span> to <span className="font-mono text-xs">{edit.to}</span>. Saved
                secrets are only ever sent to the host they were saved for, so enter them again.
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
                        requiredAgain: !!edit?.hostChanged && (field.required || registry.secretsSet.includes(field.name)),
                      }
                    : undefined
                }
                error={credentialErrors[field.name]?.message}
                warning={warnings[`credentials.${field.name}`]}
              />
            ))}
          </section>
        </Card>

        <Card>
          <TestConnectionPanel
            state={test.state}
            stale={stale}
            onTest={runTest}
            onCancel={test.cancel}
            hint={
              mode === "edit" && !edit?.hostChanged
                ? "Berth signs in with the values above; secrets left blank are taken from the saved registry. Nothing is saved."
                : "Berth looks up the host, checks its TLS certificate, and signs in with the values above. Nothing is saved."
            }
            imageInput={
              <FormField id="field-image" label="Image" help="Optional: an image to prove pull access, e.g. my-org/api:latest.">
                <Input
                  id="field-image"
                  value={image}
                  onChange={(e) => setImage(e.target.value)}
                  onKeyDown={(e) => {
                    // Enter here runs the test rather than saving the form.
                    if (e.key === "Enter") {
                      e.preventDefault();
                      runTest();
                    }
                  }}
                  aria-describedby="field-image-help"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="my-org/api:latest"
                  className="font-mono sm:max-w-xl"
                />
              </FormField>
            }
          />
        </Card>

        <div className="flex flex-col-reverse gap-3 sm:flex-row sm:items-center sm:justify-end">
          {lastFailed ? (
            <p className="text-xs text-amber-800 sm:mr-auto sm:max-w-md dark:text-amber-300">
              {test.state.phase === "done" && test.state.result.status === "not_verified"
                ? "The credentials were not verified."
                : "The last connection test did not pass."}{" "}
              You can still save: some registries are reachable only from your deploy network.
            </p>
          ) : null}
          <Link href={listHref} className={buttonClass("secondary", "md", "max-sm:w-full")}>
            Cancel
          </Link>
          <Button type="submit" aria-disabled={formState.isSubmitting || undefined} className="max-sm:w-full" onClick={(e) => formState.isSubmitting && e.preventDefault()}>
            {formState.isSubmitting ? <Spinner className="h-4 w-4" /> : null}
            Save
          </Button>
        </div>
      </form>
    </FormProvider>
  );
}
