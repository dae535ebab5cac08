"use client";

import { useEffect, useState } from "react";

/** Whole seconds since `since`, ticking while shown (decorative: the status region says what is happening). */
export function ElapsedTime({ since }: { since: number }) {
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
