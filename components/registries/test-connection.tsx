"use client";

import { Button } from "@/components/ui/button";
import { PlugIcon, Spinner } from "@/components/ui/icons";
import { ElapsedTime } from "./connection-test/elapsed-time";
import { ResultDetails } from "./connection-test/result-details";
import { ResultSummary, regionTone } from "./connection-test/result-summary";
import type { TestState } from "./use-connection-test";

/**
 * The Test Connection section: an optional image for a pull check, the button, Cancel while
 * running, the result in the role="status" region named "Connection test result" (the name
 * assistive technology and the end-to-end tests find it by), and the staged timeline below it.
 */
export function TestConnectionPanel({
  state,
  stale,
  onTest,
  onCancel,
  imageInput,
  hint,
}: {
  state: TestState;
  /** The form changed since the shown result was obtained. */
  stale: boolean;
  onTest: () => void;
  onCancel: () => void;
  imageInput: React.ReactNode;
  hint: React.ReactNode;
}) {
  const running = state.phase === "running";
  return (
    <section aria-labelledby="test-connection-title" className="space-y-4 p-5">
      <div>
        <h2 id="test-connection-title" className="text-sm font-semibold">
          Test connection
        </h2>
        <p className="mt-1 max-w-prose text-xs text-zinc-500 dark:text-zinc-400">{hint}</p>
      </div>
      {imageInput}
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="secondary" onClick={onTest} aria-disabled={running || undefined}>
          {running ? <Spinner className="h-4 w-4 text-brand-600" /> : <PlugIcon />}
          Test Connection
        </Button>
        {running ? (
          <>
            <Button variant="ghost" onClick={onCancel}>
              Cancel test
            </Button>
            <ElapsedTime since={state.startedAt} />
          </>
        ) : null}
      </div>

      <div
        id="test-connection-result"
        role="status"
        aria-label="Connection test result"
        className={`rounded-lg text-sm ${regionTone(state)} ${state.phase === "idle" ? "" : "px-3.5 py-3 ring-1 ring-inset"}`}
      >
        <ResultSummary state={state} />
      </div>
      {state.phase === "done" ? <ResultDetails result={state.result} stale={stale} /> : null}
      {running ? <div aria-hidden="true" className="h-1 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"><div className="h-full w-1/3 animate-[progress_1.2s_ease-in-out_infinite] rounded-full bg-brand-500 motion-reduce:animate-none" /></div> : null}
    </section>
  );
}
