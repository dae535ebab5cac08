import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { metrics } from "@/lib/metrics";

export type MetricsAccess = "disabled" | "unauthorized" | "ok";

/**
 * `GET /api/metrics` is off unless `BERTH_METRICS_TOKEN` is set (then it answers like a route
 * that does not exist), and needs `Authorization: Bearer <that token>`. Both sides are hashed
 * to the same length before a constant-time comparison, so neither the token's content nor its
 * length shows in the time the answer takes.
 */
export function metricsAccess(authorization: string | null, token: string | undefined = env().BERTH_METRICS_TOKEN): MetricsAccess {
  if (!token) return "disabled";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const given = createHash("sha256").update(match?.[1] ?? "").digest();
  const expected = createHash("sha256").update(token).digest();
  return match && timingSafeEqual(given, expected) ? "ok" : "unauthorized";
}

export function metricsUnauthorized(): AppError {
  return new AppError("unauthenticated", "Send the metrics token as Authorization: Bearer <BERTH_METRICS_TOKEN>", { headers: { "WWW-Authenticate": "Bearer" } });
}

/** The Prometheus text exposition of this process's metrics. */
export async function metricsText(): Promise<{ body: string; contentType: string }> {
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
