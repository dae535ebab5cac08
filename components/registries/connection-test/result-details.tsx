import { CheckIcon, ChevronRightIcon, CrossIcon } from "@/components/ui/icons";
import type { TestResult } from "@/lib/registries/connection/types";
import { stageLabel, withLocalTimes } from "../test-status";

/** Below the summary: a note when the form changed since, the result's warnings, and the staged timeline (open when something failed). */
export function ResultDetails({ result, stale }: { result: TestResult; stale: boolean }) {
  const failed = !result.ok && result.status !== "not_verified";
  return (
    <div className="space-y-2">
      {stale ? <p className="text-xs text-zinc-500 dark:text-zinc-400">You changed the form since this test. Test again to check the new values.</p> : null}
      {result.warnings.length > 0 ? (
        <ul className="space-y-1 text-xs text-amber-800 dark:text-amber-300">
          {result.warnings.map((w, i) => (
            <li key={i}>⚠ {w.message}</li>
          ))}
        </ul>
      ) : null}
      {result.stages.length > 0 ? (
        <details
          // A new result starts with the steps open when something failed.
          key={`${result.status}-${result.latencyMs}-${result.stages.length}`}
          open={failed}
          className="group rounded-lg ring-1 ring-zinc-200 dark:ring-zinc-800"
        >
          <summary className="flex cursor-pointer list-none items-center gap-2 rounded-lg px-3 py-2 text-xs font-medium text-zinc-700 hover:bg-zinc-50 dark:text-zinc-300 dark:hover:bg-zinc-800/50 [&::-webkit-details-marker]:hidden">
            <ChevronRightIcon className="h-3.5 w-3.5 transition-transform group-open:rotate-90" />
            Steps ({result.stages.length})
          </summary>
          <ol className="space-y-1.5 border-t border-zinc-100 px-3 py-2.5 text-xs dark:border-zinc-800">
            {result.stages.map((stage, i) => (
              <li key={`${stage.name}-${i}`} className="grid grid-cols-[1rem_minmax(0,1fr)_auto] items-start gap-x-2">
                {stage.ok ? <CheckIcon /> : <CrossIcon />}
                <span className="min-w-0">
                  <span className="font-medium">{stageLabel(stage.name)}</span>
                  <span className="sr-only">{stage.ok ? ": passed" : ": failed"}</span>
                  {stage.detail ? <span className="block break-words text-zinc-500 dark:text-zinc-400">{withLocalTimes(stage.detail)}</span> : null}
                </span>
                <span className="text-zinc-500 tabular-nums dark:text-zinc-400">{stage.ms} ms</span>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </div>
  );
}
