"use client";

import { useRef, useState } from "react";
import type { UseFormReturn } from "react-hook-form";
import type { RegistryInput, RegistryInputIn } from "@/lib/registries/schemas";
import { forType } from "./validation";

/**
 * Errors that come back from the server: field errors go to their fields (the first one takes
 * focus); anything else becomes the form's error, which stays until the form changes (or, sticky,
 * for good: a stale-version error).
 */
export function useServerErrors(form: UseFormReturn<RegistryInputIn, unknown, RegistryInput>, values: RegistryInputIn, fieldNames: readonly string[]) {
  const { setError, getValues } = form;
  const [serverError, setServerError] = useState<{ message: React.ReactNode; at: string | null } | null>(null);
  const formErrorRef = useRef<HTMLDivElement>(null);

  const valuesFingerprint = JSON.stringify(forType(values));
  const formError = serverError && (serverError.at === null || serverError.at === valuesFingerprint) ? serverError.message : null;
  const setFormError = (message: React.ReactNode, sticky = false) =>
    setServerError(message === null ? null : { message, at: sticky ? null : JSON.stringify(forType(getValues())) });

  /** Sets the errors of known fields (name, the type's credentials); false when none of them was one. */
  const applyFieldErrors = (errors: { path: string; message: string }[], skipName = false): boolean => {
    let first = true;
    let mapped = false;
    for (const { path, message } of errors) {
      if (path === "name" && skipName) continue;
      const known = path === "name" || fieldNames.some((name) => `credentials.${name}` === path);
      if (!known) continue;
      setError(path as "name", { type: "server", message }, { shouldFocus: first });
      first = false;
      mapped = true;
    }
    return mapped;
  };

  return { formError, setFormError, formErrorRef, applyFieldErrors };
}
