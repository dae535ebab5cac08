"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { CheckIcon, ChevronRightIcon, CrossIcon, PlugIcon, Spinner } from "@/components/ui/icons";
import type { TestResult } from "@/lib/registries/connection/types";
import { ApiError, isAbortError } from "./api";
import { resultHeadline, stageLabel, verifiedItems } from "./test-status";

/** Client-side ceiling on one test, above the server's own budget (BERTH_TEST_TIMEOUT_MS, default 10 s). */
const CLIENT_TIMEOUT_MS = 45_000;

export type TestState =
  | { phase: "idle" }
  | { phase: "running"; target: string; startedAt: number }
  | { phase: "done"; result: TestResult; target: string; fingerprint: string }
  | { phase: "cancelled" }
  /** Nothing was sent: the form has problems to fix first. */
  | { phase: "blocked"; message: string }
  /** Berth itself refused or failed (problem+json): not a statement about the registry. */
  | { phase: "error"; message: string };

/**
 * Runs one Test Connection at a time with fetch + AbortController: a new run or Cancel aborts
 * the previous request (server actions could not be cancelled), unmounting aborts too.
 */
export function useConnectionTest(onFieldErrors: (errors: ApiError["errors"]) => boolean) {
  const [state, setState] = useState<TestState>({ phase: "idle" });
  const controller = useRef<AbortController | null>(null);
  const onFieldErrorsRef = useRef(onFieldErrors);
  useEffect(() => {
    onFieldErrorsRef.current = onFieldErrors;
  });
  useEffect(() => () => controller.current?.abort(), []);

  const start = useCallback(async (target: string, fingerprint: string, call: (signal: AbortSignal) => Promise<TestResult>) => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    let timedOut = false;
    const timer = window.setTimeout(() => {
      timedOut = true;
      current.abort();
    }, CLIENT_TIMEOUT_MS);
    setState({ phase: "running", target, startedAt: Date.now() });
    try {
      const result = await call(current.signal);
      if (controller.current === current) setState({ phase: "done", result, target, fingerprint });
    } catch (err) {
      if (controller.current !== current) return;
      if (isAbortError(err)) {
        setState(timedOut ? { phase: "error", message: `No answer from Berth within ${CLIENT_TIMEOUT_MS / 1000} seconds. Try again.` } : { phase: "cancelled" });
      } else if (err instanceof ApiError) {
        if (err.status === 400 && err.errors.length > 0 && onFieldErrorsRef.current(err.errors)) {
          setState({ phase: "blocked", message: "fix the highlighted fields first." });
        } else if (err.status === 429) {
          setState({ phase: "error", message: `too many tests in a short time. ${err.retryAfter ? `Try again in ${err.retryAfter} seconds.` : "Wait a minute and try again."}` });
        } else {
          setState({ phase: "error", message: err.message });
        }
      } else {
        setState({ phase: "error", message: "something went wrong in the browser. Try again." });
      }
    } finally {
      window.clearTimeout(timer);
      if (controller.current === current) controller.current = null;
    }
  }, []);

  const cancel = useCallback(() => controller.current?.abort(), []);
  const reset = useCallback(() => {
    controller.current?.abort();
    controller.current = null;
    setState({ phase: "idle" });
  }, []);

  return { state, setState, start, cancel, reset };
}

/**
 * The Test Connection section: an optional image for a pull check, the button, Cancel while
 * running, the result in the role="status" region named "Connection test result" (SPEC section
 * 8), and the staged timeline in a disclosure below it.
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
            <Elapsed since={state.startedAt} />
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

function regionTone(state: TestState): string {
  switch (state.phase) {
    case "idle":
      return "";
    case "running":
    case "cancelled":
      return "bg-zinc-50 text-zinc-700 ring-zinc-200 dark:bg-zinc-800/50 dark:text-zinc-300 dark:ring-zinc-700";
    case "blocked":
    case "error":
      return "bg-amber-50 text-amber-900 ring-amber-200 dark:bg-amber-950/40 dark:text-amber-200 dark:ring-amber-900";
    case "done": {
      const headline = resultHeadline(state.result);
      if (headline === "Connection successful") return "bg-emerald-50 text-emerald-900 ring-emerald-200 dark:bg-emerald-950/40 dark:text-emerald-100 dark:ring-emerald-900";
      if (headline === "Connection failed") return "bg-red-50 text-red-900 ring-red-200 dark:bg-red-950/40 dark:text-red-100 dark:ring-red-900";
      return "bg-amber-50 text-amber-900 ring-amber-200 dark:bg-amber-950/40 dark:text-amber-100 dark:ring-amber-900";
    }
  }
}

/** The region's text starts with "Connection successful", "Not verified" or "Connection failed:" for a result. */
function ResultSummary({ state }: { state: TestState }) {
  switch (state.phase) {
    case "idle":
      return null;
    case "running":
      return <p>Testing the connection to {state.target}…</p>;
    case "cancelled":
      return <p>Test cancelled. Nothing was saved or changed.</p>;
    case "blocked":
      return <p>Not tested: {state.message}</p>;
    case "error":
      return <p>Could not test: {state.message}</p>;
    case "done": {
      const { result } = state;
      const headline = resultHeadline(result);
      const failed = result.stages.find((s) => !s.ok);
      if (headline === "Connection successful") {
        const verified = verifiedItems(result);
        return (
          <div className="space-y-1.5">
            <p className="font-semibold">
              Connection successful <span className="font-normal opacity-80">in {result.latencyMs} ms</span>
            </p>
            {result.message ? <p>{result.message}</p> : null}
            {verified.length > 0 ? (
              <ul className="space-y-0.5 text-xs">
                {verified.map((item) => (
                  <li key={item} className="flex items-start gap-1.5">
                    <CheckIcon />
                    {item}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        );
      }
      if (headline === "Not verified") {
        return (
          <div className="space-y-1">
            <p>
              <span className="font-semibold">Not verified</span>: {result.message}
            </p>
            <p className="text-xs">The credentials were never checked: saving is allowed, but this is not a passed test.</p>
          </div>
        );
      }
      if (headline === "Not tested") {
        return <p>Not tested: {result.message}</p>;
      }
      return (
        <div className="space-y-1">
          <p>
            <span className="font-semibold">Connection failed:</span> {result.message}
          </p>
          <p className="text-xs">
            Failed at: <span className="font-medium">{stageLabel(failed?.name ?? result.stage)}</span>
            {failed?.detail ? <> ({failed.detail})</> : null} · after {result.latencyMs} ms
          </p>
        </div>
      );
    }
  }
}

function ResultDetails({ result, stale }: { result: TestResult; stale: boolean }) {
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
                  {stage.detail ? <span className="block break-words text-zinc-500 dark:text-zinc-400">{stage.detail}</span> : null}
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

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(since);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.floor((now - since) / 1000));
  return (
    <span aria-hidden="true" className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
      {seconds > 0 ? `${seconds} s` : ""}
    </span>
  );
}
