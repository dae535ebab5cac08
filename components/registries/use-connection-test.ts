"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { TestResult } from "@/lib/registries/connection/types";
import { ApiError, isAbortError } from "./api";

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
