import { useFormContext } from "react-hook-form";
import { Select } from "@/components/ui/input";
import type { CredentialField, RegistryInputIn } from "@/lib/registries/schemas";
import type { ControlProps, CredentialPath } from "./types";

/** A choice among the catalogue's options (a region…); the empty option is the type's default. */
export function SelectCredential({ field, name, control, onChange }: { field: CredentialField; name: CredentialPath; control: ControlProps; onChange?: () => void }) {
  const { register } = useFormContext<RegistryInputIn>();
  return (
    <Select {...register(name, { onChange })} {...control} className="sm:max-w-sm">
      <option value="">{field.placeholder ? `${field.placeholder} (default)` : "Default"}</option>
      {field.options?.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </Select>
  );
}
