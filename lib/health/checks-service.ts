/**
 * Reading a registry's check history: the API's keyset pages (newest first) and the 30-day
 * timeline of its page. Same permission as getting the registry; another company's registry,
 * a deleted one and a malformed id are all "not found".
 */
import "server-only";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { getDb, rowsOf } from "@/db";
import { registryChecks, type CheckTrigger } from "@/db/schema";
import { requirePermission, type RequestContext } from "@/lib/context";
import { validationError } from "@/lib/errors";
import { loadRegistryRow } from "@/lib/registries/registry-rows";


export interface RegistryCheckDto {
  id: string;
  checkedAt: string;
  status: string;
  stage: string;
  latencyMs: number;
  message: string;
  trigger: CheckTrigger;
}

export interface RegistryCheckPage {
  items: RegistryCheckDto[];
  limit: number;
  nextPageToken: string | null;
}

const encodeToken = (id: number) => Buffer.from(JSON.stringify({ before: id })).toString("base64url");

function decodeToken(token: string): number {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { before?: unknown };
    if (Number.isSafeInteger(v.before) && (v.before as number) > 0) return v.before as number;
  } catch {
    // fall through
  }
  throw validationError([{ path: "pagination.token", message: "Not a pagination token from this API" }]);
}

/** One page of checks, newest first (by id: the order they were recorded). */
export async function listRegistryChecks(ctx: RequestContext, registryId: string, q: { limit?: number; pageToken?: string } = {}): Promise<RegistryCheckPage> {
  requirePermission(ctx, "registries:list");
  const limit = q.limit ?? 100;
  const before = q.pageToken ? decodeToken(q.pageToken) : null;
  const db = await getDb();
  const registry = await loadRegistryRow(ctx, registryId, { db });
  const rows = await db
    .select()
    .from(registryChecks)
    .where(and(eq(registryChecks.companyId, ctx.companyId), eq(registryChecks.registryId, registry.id), before ? lt(registryChecks.id, before) : undefined))
    .orderBy(desc(registryChecks.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ id: String(r.id), checkedAt: r.checkedAt.toISOString(), status: r.status, stage: r.stage, latencyMs: r.latencyMs, message: r.message, trigger: r.trigger })),
    limit,
    nextPageToken: rows.length > limit ? encodeToken(page[page.length - 1]!.id) : null,
  };
}

export interface TimelineDay {
  /** The day's start (UTC midnight), ISO. */
  day: string;
  checks: number;
  failed: number;
  /** The newest check of the day (its status and message), when there was one. */
  last: { status: string; message: string; checkedAt: string } | null;
}

export interface RegistryTimeline {
  days: TimelineDay[];
  checks: number;
  failed: number;
  /** Share of passing checks in the window, 0–100; null without checks. */
  uptimePercent: number | null;
}

export const TIMELINE_DAYS = 30;

/** The last 30 days of checks, one bucket per UTC day (oldest first), and the uptime over them. */
export async function registryTimeline(ctx: RequestContext, registryId: string, now = new Date()): Promise<RegistryTimeline> {
  requirePermission(ctx, "registries:list");
  const db = await getDb();
  const registry = await loadRegistryRow(ctx, registryId, { db });
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - (TIMELINE_DAYS - 1) * 86_400_000);
  const rows = rowsOf<{ day: string; checks: number | string; failed: number | string; last: { status: string; message: string; checkedAt: string } | null }>(
    await db.execute(sql`
      select to_char(date_trunc('day', k.checked_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
             count(*)::int as checks,
             count(*) filter (where k.status not in ('success', 'not_verified'))::int as failed,
             (array_agg(json_build_object('status', k.status, 'message', k.message, 'checkedAt', k.checked_at) order by k.id desc))[1] as last
      from ${registryChecks} k
      where k.company_id = ${ctx.companyId} and k.registry_id = ${registry.id} and k.checked_at >= ${from.toISOString()}::timestamptz
      group by 1`),
  );
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const days: TimelineDay[] = Array.from({ length: TIMELINE_DAYS }, (_, i) => {
    const d = new Date(from.getTime() + i * 86_400_000);
    const r = byDay.get(d.toISOString().slice(0, 10));
    const last = r?.last ? { ...r.last, checkedAt: new Date(r.last.checkedAt).toISOString() } : null;
    return { day: d.toISOString(), checks: Number(r?.checks ?? 0), failed: Number(r?.failed ?? 0), last };
  });
  const checks = days.reduce((n, d) => n + d.checks, 0);
  const failed = days.reduce((n, d) => n + d.failed, 0);
  return { days, checks, failed, uptimePercent: checks === 0 ? null : Math.round(((checks - failed) / checks) * 1000) / 10 };
}

