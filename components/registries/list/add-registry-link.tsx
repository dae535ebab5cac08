import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { PlusIcon } from "@/components/ui/icons";

/** "Add Registry", preselecting the type the list is filtered by. */
export function AddRegistryLink({ base, type }: { base: string; type: string }) {
  return (
    <Link href={type ? `${base}/new?type=${type}` : `${base}/new`} className={buttonClass("primary", "md", "w-full sm:w-auto")}>
      <PlusIcon />
      Add Registry
    </Link>
  );
}
