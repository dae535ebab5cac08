import Link from "next/link";
import { Button, buttonClass } from "@/components/ui/button";
import { Spinner } from "@/components/ui/icons";

/** Cancel and Save; after a failed or unverified test, a note that saving is still allowed. */
export function FormActions({ listHref, submitting, testNote }: { listHref: string; submitting: boolean; testNote: "failed" | "not_verified" | null }) {
  return (
    <div className="flex flex-col-reverse gap-3 sm:flex-row sm:items-center sm:justify-end">
      {testNote ? (
        <p className="text-xs text-amber-800 sm:mr-auto sm:max-w-md dark:text-amber-300">
          {testNote === "not_verified" ? "The credentials were not verified." : "The last connection test did not pass."} You can still save: some registries are
          reachable only from your deploy network.
        </p>
      ) : null}
      <Link href={listHref} className={buttonClass("secondary", "md", "max-sm:w-full")}>
        Cancel
      </Link>
      <Button type="submit" aria-disabled={submitting || undefined} className="max-sm:w-full" onClick={(e) => submitting && e.preventDefault()}>
        {submitting ? <Spinner className="h-4 w-4" /> : null}
        Save
      </Button>
    </div>
  );
}
