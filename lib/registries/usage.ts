/**
 * Registry usage: every `resolve` and pull secret records a use per registry (time, user, API
 * token, image or host, client), adds to the registry's count for the day, and moves the
 * registry's `lastUsedAt` (written at most once a minute per registry: the delete guard needs
 * the day, not the second). Uses are kept {@link USE_RETENTION_DAYS} days and daily counts
 * {@link DAILY_RETENTION_DAYS}; the prune is a cheap indexed delete run by about one write in
 * {@link PRUNE_ONE_IN} (no job needed; `pruneRegistryUses` is exported for a job or a test).
 */
import "server-only";
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { apiTokens, registries, registryUseDaily, registryUses, users } from "@/db/schema";
import { requirePermission, type RequestContext } from "@/lib/context";
import { validationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { loadRegistryRow } from "./registry-rows";
import type { UseClient, UseOperation } from "./usage-clients";

export { clientFromUserAgent, USE_CLIENTS, type UseClient, type UseOperation } from "./usage-clients";

export const USE_RETENTION_DAYS = 90;
export const DAILY_RETENTION_DAYS = 365;
export const PRUNE_ONE_IN = 200;

export interface UseRecord {
  registryId: string;
  /** The image or host asked for; null when the registry was named by id. */
  subject: string | null;
}

/** Records the uses (in the caller's transaction); one row per registry and subject. */
export async function recordRegistryUses(db: Db, ctx: RequestContext, operation: UseOperation, client: UseClient, uses: readonly UseRecord[]): Promise<void> {
  if (uses.length === 0) return;
  const now = new Date();
  await db.insert(registryUses).values(
    uses.map((u) => ({ companyId: ctx.companyId, registryId: u.registryId, usedAt: now, userId: ctx.userId, tokenId: ctx.tokenId ?? null, operation, subject: u.subject, client })),
  );
  const perRegistry = new Map<string, number>();
  for (const u of uses) perRegistry.set(u.registryId, (perRegistry.get(u.registryId) ?? 0) + 1);
  const day = now.toISOString().slice(0, 10);
  await db
    .insert(registryUseDaily)
    .values([...perRegistry].map(([registryId, count]) => ({ registryId, companyId: ctx.companyId, day, count })))
    .onConflictDoUpdate({ target: [registryUseDaily.registryId, registryUseDaily.day], set: { count: sql`${registryUseDaily.count} + excluded.count` } });
  await db
    .update(registries)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(registries.companyId, ctx.companyId),
        inArray(registries.id, [...perRegistry.keys()]),
        or(isNull(registries.lastUsedAt), lt(registries.lastUsedAt, new Date(now.getTime() - 60_000))),
      ),
    );
}

/** Runs the prune now and then, outside the request's transaction; a failure is logged only. */
export async function maybePruneRegistryUses(db: Db): Promise<void> {
  if (Math.random() * PRUNE_ONE_IN >= 1) return;
  await pruneRegistryUses(db).catch((err: unknown) => log.warn({ err }, "could not prune old registry uses"));
}

/** Deletes uses older than 90 days and daily counts older than a year. */
export async function pruneRegistryUses(db: Db, now = new Date()): Promise<{ uses: number; days: number }> {
  const usesBefore = new Date(now.getTime() - USE_RETENTION_DAYS * 24 * 3600_000);
  const dayBefore = new Date(now.getTime() - DAILY_RETENTION_DAYS * 24 * 3600_000).toISOString().slice(0, 10);
  const uses = await db.delete(registryUses).where(lt(registryUses.usedAt, usesBefore)).returning({ id: registryUses.id });
  const days = await db.delete(registryUseDaily).where(lt(registryUseDaily.day, dayBefore)).returning({ day: registryUseDaily.day });
  return { uses: uses.length, days: days.length };
}

/** One use as the API and the registry page show it: never a token value, only the token's name. */
export interface RegistryUseDto {
  id: string;
  usedAt: string;
  operation: UseOperation;
  client: UseClient;
  subject: string | null;
  user: { id: string; email: string } | null;
  token: { id: string; name: string } | null;
}

export interface RegistryUsePage {
  items: RegistryUseDto[];
  limit: number;
  nextPageToken: string | null;
}

function registryUseColumns() {
  return {
    id: registryUses.id,
    usedAt: registryUses.usedAt,
    operation: registryUses.operation,
    client: registryUses.client,
    subject: registryUses.subject,
    userId: registryUses.userId,
    email: users.email,
    tokenId: registryUses.tokenId,
    tokenName: apiTokens.name,
  };
}

type UseRow = { id: number; usedAt: Date; operation: string; client: string; subject: string | null; userId: string | null; email: string | null; tokenId: string | null; tokenName: string | null };

function toUseDto(r: UseRow): RegistryUseDto {
  return {
    id: String(r.id),
    usedAt: r.usedAt.toISOString(),
    operation: r.operation as UseOperation,
    client: r.client as UseClient,
    subject: r.subject,
    user: r.userId && r.email ? { id: r.userId, email: r.email } : null,
    token: r.tokenId ? { id: r.tokenId, name: r.tokenName ?? "" } : null,
  };
}

function usesQuery(db: Db, companyId: string, registryId: string, olderThanId: number | null = null) {
  return db
    .select(registryUseColumns())
    .from(registryUses)
    .leftJoin(users, eq(users.id, registryUses.userId))
    .leftJoin(apiTokens, eq(apiTokens.id, registryUses.tokenId))
    .where(and(eq(registryUses.companyId, companyId), eq(registryUses.registryId, registryId), olderThanId === null ? undefined : lt(registryUses.id, olderThanId)))
    .orderBy(desc(registryUses.id));
}

/** The registry's latest use (for the delete guard's message), or null. */
export async function lastUseOf(db: Db, companyId: string, registryId: string): Promise<RegistryUseDto | null> {
  const [row] = await usesQuery(db, companyId, registryId).limit(1);
  return row ? toUseDto(row) : null;
}

/** Who used it, for messages: the user's email, and the token's name when one was used. */
export function describeUse(use: RegistryUseDto): string {
  const who = use.token ? `the API token "${use.token.name}"${use.user ? ` of ${use.user.email}` : ""}` : (use.user?.email ?? "a removed user");
  const what = use.subject ? ` for ${use.subject}` : "";
  return `${use.operation === "resolve" ? "resolved" : "pull secret issued"} ${use.usedAt} by ${who}${what} (client ${use.client})`;
}

/** The cursor is the id of the page's last use (uses older than it come next). */
function decodeUseCursor(token: string): number {
  const n = /^\d{1,15}$/.test(token) ? Number(token) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw validationError([{ path: "pagination.token", message: "Not a pagination token from this API" }]);
  return n;
}

/**
 * `GET …/registries/{id}/uses`: newest first, paginated by the use id (ids ascend with time).
 * Same permission as reading the registry; another company's registry is 404.
 */
export async function listRegistryUses(ctx: RequestContext, registryId: string, q: { limit?: number; pageToken?: string } = {}): Promise<RegistryUsePage> {
  requirePermission(ctx, "registries:list");
  const limit = q.limit ?? 50;
  const before = q.pageToken ? decodeUseCursor(q.pageToken) : null;
  const db = await getDb();
  await loadRegistryRow(ctx, registryId, { db });
  const rows = await usesQuery(db, ctx.companyId, registryId, before).limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toUseDto), limit, nextPageToken: rows.length > limit && last ? String(last.id) : null };
}
