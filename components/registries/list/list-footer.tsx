import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Spinner } from "@/components/ui/icons";

/** Below the rows: how many are shown, "Load more" while the cursor has more, and a failed refresh. */
export function ListFooter({
  count,
  filtered,
  hasMore,
  loadingMore,
  onLoadMore,
  refreshError,
  onRetry,
}: {
  count: number;
  filtered: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  refreshError: string | null;
  onRetry: () => void;
}) {
  return (
    <>
      {count > 0 ? (
        <div className="flex flex-col items-center gap-2 border-t border-zinc-100 px-4 py-3 text-xs text-zinc-500 sm:flex-row sm:justify-between dark:border-zinc-800 dark:text-zinc-400">
          <p aria-live="polite">
            Showing {count} registr{count === 1 ? "y" : "ies"}
            {hasMore ? "" : filtered ? " matching the filters" : ""}
          </p>
          {hasMore ? (
            <Button
              variant="secondary"
              size="sm"
              aria-busy={loadingMore || undefined}
              onClick={() => {
                if (!loadingMore) onLoadMore();
              }}
            >
              {loadingMore ? <Spinner className="h-3.5 w-3.5" /> : null}
              Load more
            </Button>
          ) : null}
        </div>
      ) : null}
      {refreshError !== null && count > 0 ? (
        <div className="border-t border-zinc-100 p-3 dark:border-zinc-800">
          <Alert>
            Could not refresh the list: {refreshError}{" "}
            <button type="button" className="font-medium underline" onClick={onRetry}>
              Try again
            </button>
          </Alert>
        </div>
      ) : null}
    </>
  );
}
