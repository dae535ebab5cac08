import { RegistryTypeIcon } from "@/components/ui/icons";
import { getRegistryType } from "@/lib/registries/types";

/** The mark of a registry type, from the icon id its catalogue entry names. Decorative: the type's label always stands beside it. */
export function RegistryIcon({ type, className = "h-6 w-6" }: { type: string; className?: string }) {
  return <RegistryTypeIcon icon={getRegistryType(type)?.icon} className={className} />;
}
