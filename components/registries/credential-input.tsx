"use client";

import { useState } from "react";
import { useFormContext, useWatch } from "react-hook-form";
import { expiryApiHostOf, getRegistryType, type CredentialField, type RegistryInputIn } from "@/lib/registries/schemas";
import { CheckboxCredential } from "./credentials/checkbox-credential";
import { SecretIndicator, credentialHelp } from "./credentials/credential-help";
import { FileTextarea } from "./credentials/file-textarea";
import { TextCredential } from "./credentials/text-credential";
import { SecretInput } from "./credentials/secret-input";
import { SelectCredential } from "./credentials/select-credential";
import type { ControlProps, CredentialPath, SecretState } from "./credentials/types";
import { FormField, describedBy } from "./form-field";

export type { SecretState } from "./credentials/types";

/**
 * One credential input rendered from its catalogue entry: text, secret (with Show/Hide), select,
 * checkbox, or a textarea that also takes a file (service account key, CA certificate). This
 * component picks the control and gives it its label, help, error and warning.
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
  const { register, control } = useFormContext<RegistryInputIn>();
  const name = `credentials.${field.name}` as CredentialPath;
  const id = `field-${field.name}`;
  const url = useWatch({ control, name: "credentials.url" });
  const plainHttp = typeof url === "string" && /^\s*http:\/\//i.test(url);
  const typeKey = useWatch({ control, name: "type" });
  const expiryApiUrl = useWatch({ control, name: "credentials.expiryApiUrl" });
  const [strippedHttps, setStrippedHttps] = useState(false);

  const required = mode === "edit" && field.secret ? !!secret?.requiredAgain : field.required;
  const help = credentialHelp({ field, mode, secret, error, plainHttp, strippedHttps });
  const controlProps: ControlProps = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy(id, { error, warning, help }),
    "aria-required": required || undefined,
  };
  const indicator = mode === "edit" && field.secret ? <SecretIndicator secret={secret} /> : null;
  const keepsCurrent = mode === "edit" && secret?.set && !secret.requiredAgain;

  if (field.kind === "checkbox") {
    // The opt-in says where the token will be sent: the provider's API host, or the registry's own expiry API.
    const detection = field.name === "detectExpiry" ? getRegistryType(typeKey)?.expiryDetection : undefined;
    const label = detection ? `Read the token's expiry from ${expiryApiHostOf(detection, { expiryApiUrl: typeof expiryApiUrl === "string" ? expiryApiUrl : undefined })}` : field.label;
    return <CheckboxCredential field={{ ...field, label }} name={name} control={controlProps} disabled={field.name === "insecureSkipVerify" && plainHttp} warning={warning} help={help} />;
  }
  return (
    <FormField id={id} label={field.label} required={required} indicator={field.kind === "file" || field.kind === "secret" ? indicator : null} error={error} warning={warning} help={help}>
      {field.kind === "select" ? (
        <SelectCredential field={field} name={name} control={controlProps} onChange={onHostInput} />
      ) : field.kind === "file" ? (
        <FileTextarea field={field} name={name} common={controlProps} placeholder={keepsCurrent ? "Leave blank to keep the current key" : field.placeholder} />
      ) : field.kind === "secret" ? (
        <SecretInput {...register(name)} {...controlProps} placeholder={keepsCurrent ? "•••••••• (unchanged)" : field.placeholder} />
      ) : (
        <TextCredential field={field} name={name} control={controlProps} onHostInput={onHostInput} onHttpsStripped={() => setStrippedHttps(true)} />
      )}
    </FormField>
  );
}
