"use client";

import { useSyncExternalStore } from "react";

const BUCKET_MS = 30_000;
const subscribeClock = (onChange: () => void) => {
  const timer = window.setInterval(onChange, BUCKET_MS);
  return () => window.clearInterval(timer);
};
const noopSubscribe = () => () => {};

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const dateOnly = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

export function formatRelative(iso: string, now: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), "hour");
  if (abs < 26 * 86400) return relative.format(Math.round(seconds / 86400), "day");
  return dateOnly.format(then);
}

/**
 * "3 minutes ago", rendered identically on the server and during hydration (from the server's
 * clock), then kept current on the client. The exact local time is in the title once hydrated.
 */
export function RelativeTime({ iso, serverNow, className }: { iso: string; serverNow: number; className?: string }) {
  const now = useSyncExternalStore(
    subscribeClock,
    () => Math.floor(Date.now() / BUCKET_MS) * BUCKET_MS,
    () => serverNow,
  );
  const hydrated = useSyncExternalStore(noopSubscribe, () => true, () => false);
  return (
    <time dateTime={iso} title={hydrated ? new Date(iso).toLocaleString() : undefined} className={className}>
      {formatRelative(iso, now)}
    </time>
  );
}
