"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { createRegistryAction, updateRegistryAction } from "@/app/[company]/settings/registries/actions";
import { useToast } from "@/components/ui/toast";
import type { RegistryInput } from "@/lib/registries/schemas";
import { registryKeys } from "../api";
import type { EditedRegistry, Mode } from "./validation";

/**
 * Save: posts through the server actions (create, or update with the version the form was loaded
 * at), maps the server's field errors to the fields, and on success returns to the list with a
 * toast. Someone else's newer version is a sticky error with a reload link, never an overwrite.
 */
export function useSaveRegistry({
  mode,
  companyId,
  companySlug,
  registry,
  setFormError,
  applyFieldErrors,
  formErrorRef,
  allowLeave,
}: {
  mode: Mode;
  companyId: string;
  companySlug: string;
  registry: EditedRegistry | undefined;
  setFormError: (message: React.ReactNode, sticky?: boolean) => void;
  applyFieldErrors: (errors: { path: string; message: string }[]) => boolean;
  /** The form's error, focused when no field took focus. */
  formErrorRef: React.RefObject<HTMLDivElement | null>;
  allowLeave: () => void;
}) {
  const router = useRouter();
  const toast = useToast();
  const queryClient = useQueryClient();

  return async (data: RegistryInput) => {
    setFormError(null);
    const body = mode === "edit" && registry ? { ...data, type: registry.type, isActive: registry.isActive } : data;
    const result =
      mode === "edit" && registry
        ? await updateRegistryAction(companySlug, registry.id, body, `"${registry.version}"`)
        : await createRegistryAction(companySlug, body);
    if (!result.ok) {
      const mapped = applyFieldErrors(Object.entries(result.fieldErrors).map(([path, message]) => ({ path, message })));
      if ("stale" in result && result.stale) {
        setFormError(
          <>
            Someone else changed this registry while you were editing it, so nothing was saved.{" "}
            <a href="" className="font-medium underline" onClick={allowLeave}>
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
    allowLeave();
    const dto = result.data;
    queryClient.removeQueries({ queryKey: registryKeys.all(companyId) });
    toast({
      tone: dto.warnings.length > 0 ? "warning" : "success",
      title: mode === "create" ? `Added ${dto.name}` : `Saved ${dto.name}`,
      description: dto.warnings.length > 0 ? dto.warnings.map((w) => w.message).join(" ") : undefined,
    });
    router.push(`/${companySlug}/settings/registries`);
  };
}
