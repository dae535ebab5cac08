import type { UseFormRegisterReturn } from "react-hook-form";
import { Select } from "@/components/ui/input";
import { REGISTRY_TYPES } from "@/lib/registries/schemas";
import { FormField } from "../form-field";
import { RegistryIcon } from "../registry-icon";

/** "Registry type": the catalogue's types with the chosen type's icon; fixed (disabled) when editing. */
export function TypeSelect({ mode, typeKey, label, registration }: { mode: "create" | "edit"; typeKey: string; label: string | undefined; registration: UseFormRegisterReturn<"type"> }) {
  return (
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
            <option value={typeKey}>{label}</option>
          </Select>
        ) : (
          <Select id="field-type" {...registration} className="pl-9">
            {REGISTRY_TYPES.map((t) => (
              <option key={t.key} value={t.key}>
                {t.label}
              </option>
            ))}
          </Select>
        )}
      </div>
    </FormField>
  );
}
