import { Suspense } from "react";
import { Alert, Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import type { RequestContext } from "@/lib/context";
import { registryTimeline, TIMELINE_DAYS, type TimelineDay } from "@/lib/health/checks-service";
import type { Health } from "@/lib/health/health";
import { HealthBadge } from "./health-badge";

const dayLabel = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" });

function barClass(d: TimelineDay): string {
  if (d.checks === 0) return "bg-zinc-200 dark:bg-zinc-700";
  if (d.failed === 0) return "bg-emerald-500";
  if (d.failed === d.checks) return "bg-red-500";
  return "bg-amber-400";
}

function barLabel(d: TimelineDay): string {
  const day = dayLabel.format(new Date(d.day));
  if (d.checks === 0) return `${day}: no checks`;
  const passed = d.checks - d.failed;
  const last = d.last ? `; last: ${d.last.status.replace(/_/g, " ")}` : "";
  return `${day}: ${d.checks} check${d.checks === 1 ? "" : "s"}, ${passed} passed, ${d.failed} failed${last}`;
}

/** The 30-day strip: one bar per UTC day, green (all passed), amber (some failed), red (all failed), grey (none). */
async function Timeline({ ctx, registryId }: { ctx: RequestContext; registryId: string }) {
  let timeline;
  try {
    timeline = await registryTimeline(ctx, registryId);
  } catch {
    return <Alert>The check history could not be loaded. Reload the page to try again.</Alert>;
  }
  return (
    <div className="space-y-2">
      <p className="text-sm">
        {timeline.uptimePercent === null ? (
          <span className="text-zinc-600 dark:text-zinc-400">No checks in the last {TIMELINE_DAYS} days yet: the first scheduled check comes within the interval, or press Test.</span>
        ) : (
          <>
            <span className="text-2xl font-semibold tabular-nums" data-testid="uptime">
              {timeline.uptimePercent.toFixed(1)} %
            </span>{" "}
            <span className="text-zinc-600 dark:text-zinc-400">
              uptime over {TIMELINE_DAYS} days ({timeline.checks} check{timeline.checks === 1 ? "" : "s"}, {timeline.failed} failed)
            </span>
          </>
        )}
      </p>
      <ol aria-label={`Checks per day, last ${TIMELINE_DAYS} days`} className="flex h-9 items-stretch gap-[2px]">
        {timeline.days.map((d) => (
          <li key={d.day} aria-label={barLabel(d)} title={barLabel(d)} tabIndex={0} className={`min-w-0 flex-1 rounded-[2px] focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 ${barClass(d)}`} />
        ))}
      </ol>
      <div aria-hidden="true" className="flex justify-between text-xs text-zinc-500 dark:text-zinc-400">
        <span>{dayLabel.format(new Date(timeline.days[0]!.day))}</span>
        <span>Today</span>
      </div>
    </div>
  );
}

/** The registry's health over time: its status, the 30-day uptime figure and the timeline of checks. */
export function HealthSection({ ctx, registryId, health, scheduledChecks }: { ctx: RequestContext; registryId: string; health: Health; scheduledChecks: boolean }) {
  return (
    <Card className="mt-6 p-5">
      <section aria-labelledby="health-title" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="health-title" className="text-base font-semibold">
            Health
          </h2>
          <HealthBadge health={health} />
        </div>
        {!scheduledChecks ? <p className="text-xs text-zinc-500 dark:text-zinc-400">Scheduled checks are off for this registry: only manual tests are recorded.</p> : null}
        <Suspense
          fallback={
            <div aria-busy="true" aria-label="Loading the check history" className="space-y-2">
              <Skeleton className="h-7 w-48" />
              <Skeleton className="h-9 w-full" />
            </div>
          }
        >
          <Timeline ctx={ctx} registryId={registryId} />
        </Suspense>
      </section>
    </Card>
  );
}
