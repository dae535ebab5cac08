import { RegistryFormSkeleton } from "@/components/registries/form-skeleton";
import { PageHeader } from "@/components/ui/card";

export default function Loading() {
  return (
    <>
      <div className="mb-3 h-5" />
      <PageHeader title="Add registry" />
      <RegistryFormSkeleton />
    </>
  );
}
