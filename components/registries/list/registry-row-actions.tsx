import { Button } from "@/components/ui/button";
import { BoltIcon, PencilIcon, Spinner, TrashIcon } from "@/components/ui/icons";
import type { ListPermissions } from "./permissions";

const READ_ONLY_REASON = "Needs the Manage registries permission";

/** Test, Edit and Delete for one row: disabled (with the reason as a tooltip) where the user may not. */
export function RegistryRowActions({
  describedBy,
  permissions,
  canDelete,
  testing,
  onTest,
  onEdit,
  onDelete,
}: {
  /** The id of the registry's name, which tells which registry the buttons act on. */
  describedBy: string;
  permissions: ListPermissions;
  canDelete: boolean;
  testing: boolean;
  onTest: () => void;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        aria-describedby={describedBy}
        aria-disabled={testing || undefined}
        disabled={!permissions.test}
        title={permissions.test ? "Test the saved credentials" : "Viewers cannot run tests"}
        onClick={() => {
          if (!testing) onTest();
        }}
        className="max-lg:flex-1"
      >
        {testing ? <Spinner className="h-3.5 w-3.5" /> : <BoltIcon />}
        Test
      </Button>
      <Button
        variant="ghost"
        size="sm"
        aria-describedby={describedBy}
        disabled={!permissions.write}
        title={permissions.write ? undefined : READ_ONLY_REASON}
        onClick={onEdit}
        className="max-lg:flex-1"
      >
        <PencilIcon />
        Edit
      </Button>
      <Button
        variant="ghost"
        size="sm"
        aria-describedby={describedBy}
        disabled={!canDelete}
        title={canDelete ? undefined : permissions.deleteOwn ? "You can delete only the registries you added" : READ_ONLY_REASON}
        onClick={onDelete}
        className="text-red-700 hover:bg-red-50 max-lg:flex-1 dark:text-red-400 dark:hover:bg-red-950/50"
      >
        <TrashIcon />
        Delete
      </Button>
    </>
  );
}
