"use client";

import type { UseFormReturn } from "react-hook-form";
import { bindingOf } from "@/lib/registries/binding";
import { parseRegistryInput, type RegistryInput, type RegistryInputIn } from "@/lib/registries/schemas";
import { testSavedRegistry, validateRegistry } from "../api";
import { anyAccountRegion } from "../registry-host";
import { useConnectionTest } from "../use-connection-test";
import { forType, schemaFor, type EditAnalysis, type EditedRegistry, type Mode } from "./validation";

/**
 * Test Connection from the form: checks the values first (nothing is sent while a field is
 * wrong), then tests them. Editing with the saved host, blank secrets are taken from the saved
 * registry; a new registry, or a changed host, is tested with exactly what the form holds.
 */
export function useFormConnectionTest({
  mode,
  companyId,
  registry,
  form,
  image,
  fingerprint,
  edit,
  applyFieldErrors,
  onUrlLearned,
}: {
  mode: Mode;
  companyId: string;
  registry: EditedRegistry | undefined;
  form: UseFormReturn<RegistryInputIn, unknown, RegistryInput>;
  image: string;
  /** The values the result will be shown for (a later change marks it stale). */
  fingerprint: string;
  edit: EditAnalysis | null;
  applyFieldErrors: (errors: { path: string; message: string }[], skipName?: boolean) => boolean;
  /** The saved registry's test told it its URL (ECR), which raised its version by one. */
  onUrlLearned: () => void;
}) {
  const test = useConnectionTest((errors) => applyFieldErrors(errors, true));

  const run = () => {
    if (test.state.phase === "running") return;
    const current = form.getValues();
    const input = forType({ ...current, type: registry?.type ?? current.type, name: current.name.trim() || "Connection test" });
    const parsed = parseRegistryInput(schemaFor(mode), input);
    const issues = [...(parsed.ok ? [] : parsed.errors.filter((e) => e.path !== "name")), ...(edit?.missing ?? [])];
    if (!parsed.ok || issues.length > 0) {
      form.clearErrors();
      applyFieldErrors(issues);
      test.setState({ phase: "blocked", message: `fix the highlighted field${issues.length === 1 ? "" : "s"} first. Nothing was sent.` });
      return;
    }
    const data = parsed.data as RegistryInput;
    const imageRef = image.trim() || undefined;
    const binding = bindingOf(data.type, data.credentials);
    const region = anyAccountRegion({ type: data.type, url: binding.url });
    const target = region !== null ? `Amazon ECR (${region})` : binding.url || "the registry";
    if (mode === "edit" && registry && !edit?.bindingChange) {
      void test.start(target, fingerprint, async (signal) => {
        const result = await testSavedRegistry(companyId, registry.id, { credentials: data.credentials, ...(imageRef ? { image: imageRef } : {}) }, signal);
        // Even when a newer test replaces this one on screen: the version went up all the same.
        if (result.details?.urlLearned) onUrlLearned();
        return result;
      });
    } else {
      void test.start(target, fingerprint, (signal) => validateRegistry(companyId, { ...data, ...(imageRef ? { image: imageRef } : {}) }, signal));
    }
  };

  return { ...test, run };
}
