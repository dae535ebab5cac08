"use client";

import { useState } from "react";
import { useFormContext, useWatch } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { fileDropProps } from "@/components/ui/file-drop";
import { Textarea } from "@/components/ui/input";
import { UploadFileButton } from "@/components/ui/upload-file-button";
import type { CredentialField, RegistryInputIn } from "@/lib/registries/schemas";
import { keySummary } from "./key-summary";
import { VERBATIM_TEXT } from "./no-autofill";
import type { ControlProps, CredentialPath } from "./types";

const MAX_FILE_BYTES = 32 * 1024;

/**
 * A textarea that also accepts a file (chosen or dropped): the GCP service account key (secret:
 * masked until shown) or a PEM CA certificate. The file is read in the browser and only ever
 * travels in the form's own request; the catalogue's checks validate it at once.
 */
export function FileTextarea({
  field,
  name,
  common,
  placeholder,
}: {
  field: CredentialField;
  name: CredentialPath;
  common: ControlProps;
  placeholder: string;
}) {
  const { register, setValue, setError, control } = useFormContext<RegistryInputIn>();
  const value = useWatch({ control, name });
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
        {...VERBATIM_TEXT}
        {...fileDropProps((file) => void load(file))}
        className={`resize-y leading-relaxed ${shown ? "" : "[-webkit-text-security:disc]"}`}
      />
      <div className="flex flex-wrap items-center gap-2">
        <UploadFileButton
          accept={isKey ? ".json,application/json" : ".pem,.crt,.cer,application/x-pem-file,application/x-x509-ca-cert,text/plain"}
          onFile={(file) => void load(file)}
        >
          {isKey ? "Upload .json key file" : "Upload certificate file"}
        </UploadFileButton>
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
