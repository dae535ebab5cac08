import "server-only";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { getDb } from "@/db";
import { apiTokens, registries } from "@/db/schema";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { auditActor, isUuid, notFound, requirePermission, type RequestContext } from "@/lib/context";
import { validationError, zodErrors } from "@/lib/errors";
import { createTokenSchema } from "@/lib/auth/schemas";
import { generateApiToken } from "@/lib/auth/tokens";

export interface ApiTokenDto {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: string | null;
  cidrAllowlist: string[];
  /** The registries the token is limited to (ids), or null for every registry of the company. */
  registryIds: string[] | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

function dto(row: typeof apiTokens.$inferSelect): ApiTokenDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    cidrAllowlist: row.cidrAllowlist,
    registryIds: row.registryIds && row.registryIds.length > 0 ? row.registryIds : null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * The limit of a new token, checked against the company: each id must name one of its registries
 * that is not deleted, else a 400 at `registryIds.N` (another company's id reads like an unknown
 * one). Returns the ids once each, in the order given.
 */
async function checkRegistryLimit(db: Db, companyId: string, ids: readonly string[] | null): Promise<string[] | null> {
  if (!ids) return null;
  const found = await db
    .select({ id: registries.id })
    .from(registries)
    .where(and(eq(registries.companyId, companyId), eq(registries.isDeleted, false), inArray(registries.id, [...new Set(ids)])));
  const known = new Set(found.map((r) => r.id));
  const errors = ids.flatMap((id, i) => (known.has(id) ? [] : [{ path: `registryIds.${i}`, message: "No registry of this company has this id (deleted, or never created)" }]));
  if (errors.length > 0) throw validationError(errors);
  return [...new Set(ids)];
}

/** Inserts a token for a user of a company (shared by the app and the CLI). The token is returned once. */
export async function issueApiToken(
  db: Db,
  owner: { companyId: string; userId: string },
  input: unknown,
  actor: AuditActor,
  /** Extra audit facts from the caller (the CLI: `via` and whether a two-factor policy was bypassed). */
  auditExtra: Record<string, unknown> = {},
): Promise<{ token: string; apiToken: ApiTokenDto }> {
  const parsed = createTokenSchema.safeParse(input);
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const data = parsed.data;
  const registryIds = await checkRegistryLimit(db, owner.companyId, data.registryIds);
  const { token, hash, prefix } = generateApiToken();
  const [row] = await db
    .insert(apiTokens)
    .values({
      companyId: owner.companyId,
      userId: owner.userId,
      name: data.name,
      prefix,
      tokenHash: hash,
      scopes: [...new Set(data.scopes)],
      expiresAt: data.expiresAt ? new Date(data.expiresAt) : null,
      cidrAllowlist: data.cidrAllowlist,
      registryIds,
    })
    .returning();
  await recordAudit(db, actor, {
    companyId: owner.companyId,
    action: "token.created",
    targetType: "api_token",
    targetId: row!.id,
    metadata: { name: data.name, scopes: row!.scopes, expiresAt: row!.expiresAt?.toISOString() ?? null, cidrAllowlist: row!.cidrAllowlist, registryIds, ...auditExtra },
  });
  return { token, apiToken: dto(row!) };
}

export async function createApiToken(ctx: RequestContext, input: unknown) {
  requirePermission(ctx, "tokens:own");
  return issueApiToken(await getDb(), { companyId: ctx.companyId, userId: ctx.userId }, input, auditActor(ctx));
}

export async function listApiTokens(ctx: RequestContext): Promise<ApiTokenDto[]> {
  requirePermission(ctx, "tokens:own");
  const db = await getDb();
  const rows = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.companyId, ctx.companyId), eq(apiTokens.userId, ctx.userId)))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(dto);
}

export async function revokeApiToken(ctx: RequestContext, tokenId: string): Promise<ApiTokenDto> {
  requirePermission(ctx, "tokens:own");
  if (!isUuid(tokenId)) throw notFound("API token");
  const db = await getDb();
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.companyId, ctx.companyId), eq(apiTokens.userId, ctx.userId), isNull(apiTokens.revokedAt)))
    .returning();
  if (!row) {
    const [already] = await db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.companyId, ctx.companyId), eq(apiTokens.userId, ctx.userId)));
    if (already) return dto(already);
    throw notFound("API token");
  }
  await recordAudit(db, auditActor(ctx), { companyId: ctx.companyId, action: "token.revoked", targetType: "api_token", targetId: row.id, metadata: { name: row.name } });
  return dto(row);
}
