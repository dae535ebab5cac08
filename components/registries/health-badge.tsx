import { Badge } from "@/components/ui/card";
import type { Health, HealthStatus } from "@/lib/health/health";

/** UTC, so the server's render and the browser's hydration agree. */
const when = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });

export const HEALTH_LABELS: Record<HealthStatus, string> = {
  expired: "Expired",
  failing: "Failing",
  expiring: "Expiring",
  healthy: "Healthy",
  not_checked: "Not checked",
};

const TONE: Record<HealthStatus, "error" | "warning" | "success" | "neutral"> = {
  expired: "error",
  failing: "error",
  expiring: "warning",
  healthy: "success",
  not_checked: "neutral",
};

/** The badge's text: "Failing since Dec 1, 09:40 UTC" for a failing registry, else the status's label. */
export function healthText(health: Health): string {
  if (health.status === "failing" && health.since) return `Failing since ${when.format(new Date(health.since))} UTC`;
  return HEALTH_LABELS[health.status];
}

/** A registry's health (from its scheduled checks, manual tests and expiry) as a badge. */
export function HealthBadge({ health }: { health: Health }) {
  const title = health.lastCheckedAt ? `Last checked ${when.format(new Date(health.lastCheckedAt))} UTC` : "No check yet";
  return (
    <span title={title} className="inline-flex" data-health={health.status}>
      <Badge tone={TONE[health.status]}>{healthText(health)}</Badge>
    </span>
  );
}
