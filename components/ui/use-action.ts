"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";

/**
 * Runs a server action in a transition: clears the last error, shows the action's error when it
 * refuses, and refreshes the page's server data either way. `start` and `setError` are there for
 * callers that handle an action's answer themselves.
 */
export function useAction() {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);

  function run(fn: () => Promise<{ ok: boolean; error?: string }>) {
    setError(null);
    start(async () => {
      const r = await fn();
      if (!r.ok) setError(r.error ?? "Failed");
      router.refresh();
    });
  }

  return { pending, start, error, setError, run };
}
