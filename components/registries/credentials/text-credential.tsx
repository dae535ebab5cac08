"use client";

import { useFormContext } from "react-hook-form";
import { Input } from "@/components/ui/input";
import { canonicalRegistryUrl, normalizeRegistryUrl } from "@/lib/registries/url";
import type { CredentialField, RegistryInputIn } from "@/lib/registries/schemas";
import { NO_AUTOFILL } from "./no-autofill";
import type { ControlProps, CredentialPath } from "./types";

/**
 * A plain text credential. Host fields are normalised as typed: a pasted https:// is removed (the
 * caller shows a note), typing http:// turns skip-verify off, and on leaving the field the value
 * takes its canonical form (lower-case host, no trailing /).
 */
export function TextCredential({
  field,
  name,
  control,
  onHostInput,
  onHttpsStripped,
}: {
  field: CredentialField;
  name: CredentialPath;
  control: ControlProps;
  onHostInput?: () => void;
  onHttpsStripped: () => void;
}) {
  const { register, setValue } = useFormContext<RegistryInputIn>();
  const hostField = field.name === "url" || field.name === "loginServer";
  const reg = register(name, {
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
      if (!hostField) return;
      onHostInput?.();
      if (field.name === "url" && /^\s*http:\/\//i.test(e.target.value)) setValue("credentials.insecureSkipVerify", false);
    },
  });
  return (
    <Input
      {...reg}
      {...control}
      {...NO_AUTOFILL}
      onChange={(e) => {
        if (hostField && /^\s*https:\/\//i.test(e.target.value)) {
          e.target.value = e.target.value.replace(/^\s*https:\/\//i, "");
          onHttpsStripped();
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
  );
}
