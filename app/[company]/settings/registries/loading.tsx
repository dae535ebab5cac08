import { RegistriesPageSkeleton } from "@/components/registries/list-skeleton";
import { PageHeader } from "@/components/ui/card";

export default function Loading() {
  return (
    <>
      <PageHeader title="Container Registries" />
      <RegistriesPageSkeleton />
    </>
  );
}
