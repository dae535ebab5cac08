"use client";

import { useEffect, useRef } from "react";

/** Leaving with unsaved changes (reload, close) asks first; `allowLeave()` lifts that once the form is saved or reloaded on purpose. */
export function useLeaveGuard(dirty: boolean) {
  const allowed = useRef(false);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      if (!allowed.current) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
  return () => {
    allowed.current = true;
  };
}
