import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { registries } from "@/db/schema";
import { EXPIRING_WITHIN_MS } from "./health";

/**
 * The health status of a registry row in SQL, by the same rules as `healthFromState` (first
 * match wins: expired, failing, expiring, healthy, not_checked), for `filter.health`.
 */
export function healthStatusSql(): SQL<string> {
  return sql<string>`(case
    when ${registries.expiresAt} <= now() then 'expired'
    when ${registries.healthStatus} = 'failing' then 'failing'
    when ${registries.expiresAt} <= now() + ${EXPIRING_WITHIN_MS}::bigint * interval '1 millisecond' then 'expiring'
    when ${registries.healthStatus} = 'healthy' then 'healthy'
    else 'not_checked' end)`;
}

/** The columns `checkStateOf` reads: a registry's health state as the checks left it. */
export const checkStateColumns = {
  healthStatus: registries.healthStatus,
  healthSince: registries.healthSince,
  consecutiveFailures: registries.consecutiveFailures,
  failuresSince: registries.failuresSince,
  lastCheckedAt: registries.lastCheckedAt,
};
