/**
 * Prometheus metrics (prom-client), served by `GET /api/metrics` when `BERTH_METRICS_TOKEN` is
 * set. The registry lives on `globalThis`: Next.js may load this module more than once in a
 * process (instrumentation and each route bundle), and every copy must count into the same one.
 *
 * Labels are bounded: routes are route patterns (lib/server/route-pattern.ts), statuses are the
 * engine's fixed set of outcomes, methods are folded to the standard ones.
 *
 * Recording is cheap and never throws; code outside the server process (CLI, unit tests)
 * records into a registry nobody scrapes.
 */
import client from "prom-client";

export interface BerthMetrics {
  registry: client.Registry;
  httpRequests: client.Counter<"route" | "method" | "status">;
  httpDuration: client.Histogram<"route" | "method" | "status_class">;
  httpInFlight: client.Gauge;
  connectionTests: client.Counter<"status">;
  scheduledChecks: client.Counter<"status">;
  webhookDeliveries: client.Counter<"outcome">;
  /** Set by the server process: what the gauges below read at scrape time. */
  sources: MetricSources;
}

export interface MetricSources {
  jobsRunning?: () => number;
  jobsQueued?: () => Promise<{ due: number; leased: number; scheduled: number }>;
  dbConnections?: () => Promise<{ max: number; open: number; active: number } | null>;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The method as a label: anything non-standard is `other`. */
export function methodLabel(method: string | undefined): string {
  const m = (method ?? "").toUpperCase();
  return METHODS.has(m) ? m : "other";
}

function create(): BerthMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "berth_" });
  const sources: MetricSources = {};
  const metrics: BerthMetrics = {
    registry,
    sources,
    httpRequests: new client.Counter({
      name: "berth_http_requests_total",
      help: "HTTP requests answered, by route pattern, method and status code.",
      labelNames: ["route", "method", "status"],
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: "berth_http_request_duration_seconds",
      help: "Time from the request's arrival to the end of its response, by route pattern, method and status class (2xx, 4xx, ...).",
      labelNames: ["route", "method", "status_class"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    httpInFlight: new client.Gauge({
      name: "berth_http_requests_in_flight",
      help: "HTTP requests received and not yet answered.",
      registers: [registry],
    }),
    connectionTests: new client.Counter({
      name: "berth_connection_tests_total",
      help: "Test Connection runs started by users and API tokens (new values and saved registries), by outcome status.",
      labelNames: ["status"],
      registers: [registry],
    }),
    scheduledChecks: new client.Counter({
      name: "berth_scheduled_checks_total",
      help: "Scheduled health checks run by this instance's job runner, by outcome status (cancelled: the runner stopped during the check; it runs again).",
      labelNames: ["status"],
      registers: [registry],
    }),
    webhookDeliveries: new client.Counter({
      name: "berth_webhook_deliveries_total",
      help: "Webhook delivery attempts, by outcome (succeeded, retrying: failed and retried later, failed: given up).",
      labelNames: ["outcome"],
      registers: [registry],
    }),
  };
  new client.Gauge({
    name: "berth_jobs_running",
    help: "Jobs this instance's runner is running now (0 when the runner is off).",
    registers: [registry],
    collect() {
      this.set(sources.jobsRunning?.() ?? 0);
    },
  });
  new client.Gauge({
    name: "berth_jobs_queued",
    help: "Jobs in the shared queue (all instances), by state: due (waiting for a runner), leased (running somewhere), scheduled (due later).",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const q = await sources.jobsQueued?.().catch(() => undefined);
      if (!q) return;
      for (const state of ["due", "leased", "scheduled"] as const) this.set({ state }, q[state]);
    },
  });
  new client.Gauge({
    name: "berth_db_pool_connections",
    help: "PostgreSQL connections of this instance's pool, read from pg_stat_activity by its application_name: max (the pool's limit), open, active (running a statement; includes the one reading this). Absent with the embedded database.",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const c = await sources.dbConnections?.().catch(() => null);
      if (!c) return;
      for (const state of ["max", "open", "active"] as const) this.set({ state }, c[state]);
    },
  });
  return metrics;
}

const globalForMetrics = globalThis as unknown as { berthMetrics?: BerthMetrics };

export function metrics(): BerthMetrics {
  globalForMetrics.berthMetrics ??= create();
  return globalForMetrics.berthMetrics;
}

/** Counts one Test Connection run started by a caller. */
export function countConnectionTest(status: string): void {
  metrics().connectionTests.inc({ status });
}

export function countScheduledCheck(status: string): void {
  metrics().scheduledChecks.inc({ status });
}

export function countWebhookDelivery(outcome: "succeeded" | "retrying" | "failed"): void {
  metrics().webhookDeliveries.inc({ outcome });
}

/** Records one answered HTTP request. */
export function observeHttpRequest(route: string, method: string | undefined, status: number, seconds: number): void {
  const m = metrics();
  const methodL = methodLabel(method);
  m.httpRequests.inc({ route, method: methodL, status: String(status) });
  m.httpDuration.observe({ route, method: methodL, status_class: `${Math.floor(status / 100)}xx` }, seconds);
}
