import { PageHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <>
      <PageHeader title="Notifications" />
      <div className="space-y-4" aria-busy="true" aria-label="Loading webhooks">
        <Skeleton className="h-48 w-full" />
        <Skeleton className="h-24 w-full" />
      </div>
    </>
  );
}
