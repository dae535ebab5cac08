"use client";

import { useRef, useState } from "react";
import { useFormContext, useWatch } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { UploadIcon } from "@/components/ui/icons";
import { Badge } from "@/components/ui/card";
import { Input, Select, Textarea } from "@/components/ui/input";
import { canonicalRegistryUrl, normalizeRegistryUrl } from "@/lib/registries/url";
import type { CredentialField, RegistryInputIn } from "@/lib/registries/schemas";
import { FormField, describedBy } from "./form-field";

type Path = `credentials.${CredentialField["name"]}`;

/** Stops browsers and password managers from filling the user's Berth login into registry credentials. */
const NO_AUTOFILL = { "data-1p-ignore": "true", "data-lpignore": "true", "data-bwignore": "true", "data-form-type": "other" } as const;

const MAX_FILE_BYTES = 32 * 1024;

export interface SecretState {
  /** Edit form: the stored value exists (shown as "Set"; blank keeps it). */
  set: boolean;
  /** Edit form: the host changed, so this secret must be entered again. */
  requiredAgain: boolean;
}

/**
 * One credential input rendered from its catalogue entry: text, secret (with Show/Hide), select,
 * checkbox, or a textarea that also takes a file (service account key, CA certificate).
 */
export function CredentialInput({
  field,
  mode,
  secret,
  error,
  warning,
  onHostInput,
}: {
  field: CredentialField;
  mode: "create" | "edit";
  secret?: SecretState;
  error?: string;
  warning?: string;
  /** Called when a host field changes, to reset stale results. */
  onHostInput?: () => void;
}) {
  const { register, setValue, control } = useFormContext<RegistryInputIn>();
  const name = `credentials.${field.name}` as Path;
  const id = `field-${field.name}`;
  const url = useWatch({ control, name: "credentials.url" });
  const plainHttp = typeof url === "string" && /^\s*http:\/\//i.test(url);
  const [strippedHttps, setStrippedHttps] = useState(false);

  const required = mode === "edit" && field.secret ? !!secret?.requiredAgain : field.required;
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
  const describe = describedBy(id, { error, warning, help });
  const common = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describe,
    "aria-required": required || undefined,
  } as const;
  const indicator =
    mode === "edit" && field.secret ? (
      secret?.set ? (
        <Badge tone={secret.requiredAgain ? "warning" : "success"}>{secret.requiredAgain ? "Set for the old host" : "Set"}</Badge>
      ) : (
        <Badge>Not set</Badge>
      )
    ) : null;

  if (field.kind === "checkbox") {
    const reg = register(name);
    return (
      <div className="space-y-1">
        <div className="flex items-start gap-2.5">
          <input
            type="checkbox"
            {...reg}
            {...common}
            disabled={plainHttp}
            className="mt-0.5 h-4 w-4 rounded border-zinc-300 text-brand-600 accent-brand-600 disabled:opacity-50 dark:border-zinc-600"
          />
          <label htmlFor={id} className={`text-sm font-medium ${plainHttp ? "text-zinc-400 dark:text-zinc-500" : "text-zinc-800 dark:text-zinc-200"}`}>
            {field.label}
          </label>
        </div>
        {warning && !plainHttp ? (
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

  if (field.kind === "select") {
    return (
      <FormField id={id} label={field.label} required={required} error={error} warning={warning} help={help}>
        <Select {...register(name, { onChange: onHostInput })} {...common} className="sm:max-w-sm">
          <option value="">{field.placeholder ? `${field.placeholder} (default)` : "Default"}</option>
          {field.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
      </FormField>
    );
  }

  if (field.kind === "file") {
    return (
      <FormField id={id} label={field.label} required={required} indicator={indicator} error={error} warning={warning} help={help}>
        <FileTextarea
          field={field}
          name={name}
          common={common}
          placeholder={mode === "edit" && secret?.set && !secret.requiredAgain ? "Leave blank to keep the current key" : field.placeholder}
        />
      </FormField>
    );
  }

  if (field.kind === "secret") {
    return (
      <FormField id={id} label={field.label} required={required} indicator={indicator} error={error} warning={warning} help={help}>
        <SecretInput
          {...register(name)}
          {...common}
          placeholder={mode === "edit" && secret?.set && !secret.requiredAgain ? "•••••••• (unchanged)" : field.placeholder}
        />
      </FormField>
    );
  }

  // Plain text. Host fields are normalised as typed: a pasted https:// is removed (with a note),
  // and on leaving the field the value takes its canonical form (lower-case host, no trailing /).
  const hostField = field.name === "url" || field.name === "loginServer";
  const reg = register(name, {
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
      if (!hostField) return;
      onHostInput?.();
      if (field.name === "url" && /^\s*http:\/\//i.test(e.target.value)) setValue("credentials.insecureSkipVerify", false);
    },
  });
  return (
    <FormField id={id} label={field.label} required={required} error={error} warning={warning} help={help}>
      <Input
        {...reg}
        {...common}
        {...NO_AUTOFILL}
        onChange={(e) => {
          if (hostField && /^\s*https:\/\//i.test(e.target.value)) {
            e.target.value = e.target.value.replace(/^\s*https:\/\//i, "");
            setStrippedHttps(true);
          }
          void reg.onChange(e);
        }}
        onBlur={(e) => {
          if (hostField && normalizeRegistryUrl(e.target.value).ok) {
            const canonical = canonicalRegistryUrl(e.target.value);
            if (canonical && canonical !== e.target.value) setValue(name, canonical, { shouldDirty: true });
          }
          void reg.onBlur(e);
        }}
        type="text"
        inputMode={hostField ? "url" : undefined}
        autoComplete="off"
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        placeholder={field.placeholder}
        className={hostField || field.name === "accessKeyId" || field.name === "registryId" ? "font-mono sm:max-w-xl" : "sm:max-w-xl"}
      />
    </FormField>
  );
}

/** A password-style input with a Show / Hide toggle; never autofilled. */
function SecretInput(props: React.InputHTMLAttributes<HTMLInputElement> & { ref?: React.Ref<HTMLInputElement> }) {
  const [shown, setShown] = useState(false);
  return (
    <div className="relative sm:max-w-xl">
      <Input
        {...props}
        {...NO_AUTOFILL}
        type={shown ? "text" : "password"}
        autoComplete="new-password"
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        className="pr-16 font-mono"
      />
      <button
        type="button"
        onClick={() => setShown((s) => !s)}
        aria-controls={props.id}
        aria-describedby={props.id ? `${props.id}-label` : undefined}
        className="absolute inset-y-1 right-1 rounded px-2.5 text-xs font-medium text-zinc-600 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-brand-500 dark:text-zinc-300 dark:hover:bg-zinc-800"
      >
        {shown ? "Hide" : "Show"}
      </button>
    </div>
  );
}

/**
 * A textarea that also accepts a file (chosen or dropped): the GCP service account key (secret:
 * masked until shown) or a PEM CA certificate. The file is read in the browser and only ever
 * travels in the form's own request; the catalogue's checks validate it at once.
 */
function FileTextarea({
  field,
  name,
  common,
  placeholder,
}: {
  field: CredentialField;
  name: Path;
  common: Record<string, unknown> & { id: string };
  placeholder: string;
}) {
  const { register, setValue, setError, control } = useFormContext<RegistryInputIn>();
  const value = useWatch({ control, name });
  const fileRef = useRef<HTMLInputElement>(null);
  const [shown, setShown] = useState(!field.secret);
  const [fileName, setFileName] = useState<string | null>(null);
  const isKey = field.name === "serviceAccountKey";

  const load = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setError(name, { type: "file", message: `${file.name} is ${Math.round(file.size / 1024)} KB: a ${isKey ? "key file" : "certificate"} is at most 32 KB` });
      return;
    }
    const text = (await file.text()).trim();
    setFileName(file.name);
    setValue(name, text, { shouldValidate: true, shouldDirty: true, shouldTouch: true });
  };

  const summary = isKey && typeof value === "string" ? keySummary(value) : null;
  return (
    <div className="space-y-2 sm:max-w-xl">
      <Textarea
        {...register(name)}
        {...common}
        rows={isKey ? 5 : 4}
        placeholder={placeholder}
        autoComplete="off"
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          const file = e.dataTransfer.files[0];
          if (!file) return;
          e.preventDefault();
          void load(file);
        }}
        className={`resize-y leading-relaxed ${shown ? "" : "[-webkit-text-security:disc]"}`}
      />
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="secondary" size="sm" onClick={() => fileRef.current?.click()}>
          <UploadIcon />
          {isKey ? "Upload .json key file" : "Upload certificate file"}
        </Button>
        <input
          ref={fileRef}
          type="file"
          hidden
          tabIndex={-1}
          accept={isKey ? ".json,application/json" : ".pem,.crt,.cer,application/x-pem-file,application/x-x509-ca-cert,text/plain"}
          onChange={(e) => {
            void load(e.target.files?.[0]);
            e.target.value = "";
          }}
        />
        {field.secret ? (
          <Button variant="ghost" size="sm" aria-controls={common.id} aria-describedby={`${common.id}-label`} onClick={() => setShown((s) => !s)}>
            {shown ? "Hide" : "Show"}
          </Button>
        ) : null}
        {fileName ? <span className="truncate text-xs text-zinc-500 dark:text-zinc-400">Loaded {fileName}</span> : null}
      </div>
      {summary ? (
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          Service account <span className="font-mono">{summary.email}</span>
          {summary.project ? (
            <>
              {" "}
              in project <span className="font-mono">{summary.project}</span>
            </>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}

/** The identity of a pasted key (not secret: the account's e-mail and project), when it parses. */
function keySummary(text: string): { email: string; project: string | null } | null {
  if (!text.trim().startsWith("{")) return null;
  try {
    const key = JSON.parse(text) as { client_email?: unknown; project_id?: unknown };
    return typeof key.client_email === "string" ? { email: key.client_email, project: typeof key.project_id === "string" ? key.project_id : null } : null;
  } catch {
    return null;
  }
}
