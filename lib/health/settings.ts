/**
 * A company's scheduled-check interval (owners and admins): its own 15–1440 minutes, or null to
 * follow `BERTH_CHECK_INTERVAL_MINUTES`. The check jobs move to the new interval at the next
 * schedule task (within a minute).
 */
import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { companies } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission, type RequestContext } from "@/lib/context";
import { env } from "@/lib/env";
import { validationError, zodErrors } from "@/lib/errors";

export const MIN_COMPANY_INTERVAL = 15;
export const MAX_COMPANY_INTERVAL = 1440;

export interface HealthCheckSettingsDto {
  /** The company's own interval in minutes, or null. */
  intervalMinutes: number | null;
  /** What applies when the company has none (BERTH_CHECK_INTERVAL_MINUTES). */
  defaultIntervalMinutes: number;
  /** The interval in force. */
  effectiveIntervalMinutes: number;
}

export const healthCheckSettingsSchema = z.strictObject({
  intervalMinutes: z
    .number({ error: "Must be a whole number of minutes, or null" })
    .int({ error: "Must be a whole number of minutes" })
    .min(MIN_COMPANY_INTERVAL, { error: `Must be from ${MIN_COMPANY_INTERVAL} to ${MAX_COMPANY_INTERVAL} minutes` })
    .max(MAX_COMPANY_INTERVAL, { error: `Must be from ${MIN_COMPANY_INTERVAL} to ${MAX_COMPANY_INTERVAL} minutes` })
    .nullable(),
});

const dto = (intervalMinutes: number | null): HealthCheckSettingsDto => {
  const defaultIntervalMinutes = env().BERTH_CHECK_INTERVAL_MINUTES;
  return { intervalMinutes, defaultIntervalMinutes, effectiveIntervalMinutes: intervalMinutes ?? defaultIntervalMinutes };
};

export async function getHealthCheckSettings(ctx: RequestContext): Promise<HealthCheckSettingsDto> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  const [row] = await db.select({ interval: companies.checkIntervalMinutes }).from(companies).where(eq(companies.id, ctx.companyId));
  return dto(row?.interval ?? null);
}

export async function setHealthCheckSettings(ctx: RequestContext, body: unknown): Promise<HealthCheckSettingsDto> {
  requirePermission(ctx, "company:admin");
  const parsed = healthCheckSettingsSchema.safeParse(body);
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const next = parsed.data.intervalMinutes;
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ interval: companies.checkIntervalMinutes }).from(companies).where(eq(companies.id, ctx.companyId)).for("update");
    if ((before?.interval ?? null) === next) return;
    await tx.update(companies).set({ checkIntervalMinutes: next }).where(eq(companies.id, ctx.companyId));
    await recordAudit(tx as unknown as Db, auditActor(ctx), {
      companyId: ctx.companyId,
      action: "company.check_interval_changed",
      targetType: "company",
      targetId: ctx.companyId,
      metadata: { from: before?.interval ?? null, to: next },
    });
  });
  return dto(next);
}
