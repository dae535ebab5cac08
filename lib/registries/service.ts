import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, getTableColumns, ilike, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { getDb, preparedPerDb, type Db } from "@/db";
import { registries, registryTokens, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { auditActor, isUuid, requirePermission, type RequestContext } from "@/lib/context";
import { AppError, validationError, type FieldIssue } from "@/lib/errors";
import { isUniqueViolation } from "@/lib/db-errors";
import { HEALTH_STATUSES, checkStateOf, healthFromState } from "@/lib/health/health";
import { healthStatusSql } from "@/lib/health/health-sql";
import { log } from "@/lib/log";
import { deliverSoon } from "@/lib/notifications/delivery";
import { enqueueEvent } from "@/lib/notifications/outbox";
import type { RegistryDto, RegistryPage } from "./dto";
import { parseCreateRegistryBody } from "./generic-body";
import { bindingOf } from "./binding";
import { dropRegistryToken } from "./exchange";
import { refreshDetectedExpiry, wantsExpiryDetection } from "./expiry/refresh";
import { loadRegistryRow, refuseLimitedCreate, type RegistryRow } from "./registry-rows";
import { keptSecretsFor, openRegistrySecrets, sealRegistrySecrets } from "./secrets";
import { describeUse, lastUseOf } from "./usage";
import {
  REGISTRY_TYPE_KEYS,
  getRegistryType,
  isSecretField,
  parseRegistryInput,
  patchRegistrySchema,
  replaceRegistrySchema,
  type RegistryCredentials,
  type RegistryInput,
  type RegistryTypeKey,
} from "./schemas";

type Row = RegistryRow;

export const IN_USE_WINDOW_MS = 30 * 24 * 3600_000;

function splitCredentials(credentials: RegistryCredentials) {
  const plain: Record<string, string | boolean> = {};
  const secret: Record<string, string> = {};
  for (const [k, v] of Object.entries(credentials)) {
    if (v === undefined || v === null || v === "") continue;
    if (isSecretField(k)) secret[k] = String(v);
    else plain[k] = v as string | boolean;
  }
  return { plain, secret };
}

const creator = alias(users, "creator");

function toDto(row: Omit<Row, "secretBlob" | "keyId">, createdByEmail: string | null = null, lastExchangeAt: Date | null = null): RegistryDto {
  return {
    id: row.id,
    companyIdRef: row.companyId,
    type: row.type as RegistryTypeKey,
    name: row.name,
    url: row.url,
    plainHttp: row.plainHttp,
    isActive: row.isActive,
    isDeleted: row.isDeleted,
    credentials: row.credentials as Record<string, string | boolean>,
    secretsSet: row.secretFields,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    createdBy: row.createdBy,
    createdByEmail,
    modifiedBy: row.modifiedBy,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    expiry: {
      source: row.expiresAtSource === "user" || row.expiresAtSource === "detected" ? row.expiresAtSource : null,
      checkedAt: row.expiryCheckedAt?.toISOString() ?? null,
      detectedExpiresAt: row.expiryDetectedAt?.toISOString() ?? null,
      message: row.expiryMessage,
    },
    lastExchangeAt: lastExchangeAt?.toISOString() ?? null,
    lastTest: row.lastTestStatus && row.lastTestAt ? { status: row.lastTestStatus, message: row.lastTestMessage ?? "", checkedAt: row.lastTestAt.toISOString() } : null,
    scheduledChecks: row.scheduledChecks,
    health: healthFromState({ expiresAt: row.expiresAt, state: checkStateOf(row), now: new Date() }),
    version: row.version,
    warnings: row.warnings,
  };
}

export function etagOf(dto: { version: number }): string {
  return `"${dto.version}"`;
}

/** 412 unless If-Match (when sent) names the current version. */
function checkIfMatch(row: Row, ifMatch: string | null | undefined) {
  if (!ifMatch || ifMatch.trim() === "*") return;
  const wanted = ifMatch.split(",").map((t) => t.trim().replace(/^W\//, ""));
  if (!wanted.includes(`"${row.version}"`)) {
    throw new AppError("precondition_failed", `The registry has changed since you read it (now version ${row.version}); fetch it again`);
  }
}

/** Which of the registries' unique rules a unique violation broke: the name, the URL, or neither known. */
export function violatedRegistryRule(err: unknown): "name" | "url" | null {
  const text = JSON.stringify(err, Object.getOwnPropertyNames(err as object)) + String((err as { cause?: unknown }).cause ?? "");
  if (text.includes("registries_company_name_idx")) return "name";
  if (text.includes("registries_company_url_idx")) return "url";
  return null;
}

function conflictFrom(err: unknown, name: string, url: string): never {
  const rule = violatedRegistryRule(err);
  if (rule === "name") {
    throw new AppError("conflict", `A registry named "${name}" already exists`, { errors: [{ path: "name", message: "Already used by another registry" }] });
  }
  if (rule === "url") {
    throw new AppError("conflict", `Credentials for ${url} already exist; use a path prefix (e.g. ${url}/my-org) to keep two side by side`, {
      errors: [{ path: "credentials.url", message: "Already used by another registry" }],
    });
  }
  throw new AppError("conflict", "A registry with this name or URL already exists");
}

async function creatorEmail(db: Db, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const [u] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return u?.email ?? null;
}

/** The DTO of one row, with its creator's email and (exchanged credentials) the last exchange. */
async function fullDto(db: Db, row: Row): Promise<RegistryDto> {
  const [exchange] = isExchanged(row.type)
    ? await db.select({ at: registryTokens.createdAt }).from(registryTokens).where(and(eq(registryTokens.registryId, row.id), eq(registryTokens.companyId, row.companyId)))
    : [];
  return toDto(row, await creatorEmail(db, row.createdBy), exchange?.at ?? null);
}

/** What a webhook event names of a registry (never a secret). */
const eventRegistry = (row: { id: string; name: string; type: string; url: string }) => ({ id: row.id, name: row.name, type: row.type, url: row.url });

/**
 * After a save with expiry detection on: reads the token's expiry from the provider (outside the
 * transaction, never failing the save) and answers with the row as it then is.
 */
async function afterSave(row: Row, dto: RegistryDto): Promise<RegistryDto> {
  if (!wantsExpiryDetection(row)) return dto;
  const db = await getDb();
  try {
    if (!(await refreshDetectedExpiry(db, row))) return dto;
  } catch (err) {
    log.warn({ err, registryId: row.id }, "token expiry detection failed");
    return dto;
  }
  const [fresh] = await db.select().from(registries).where(and(eq(registries.id, row.id), eq(registries.companyId, row.companyId)));
  return fresh ? { ...(await fullDto(db, fresh)), createdByEmail: dto.createdByEmail } : dto;
}

/** Whether the type's credentials are exchanged for a registry password (ECR). */
const isExchanged = (type: string) => getRegistryType(type)?.signIn({}).kind === "exchange";

/** ECR keys are exchanged for 12-hour passwords: such a registry shows its last exchange instead of an expiry. */
function checkExpiresAtAllowed(type: RegistryTypeKey, expiresAt: string | null | undefined) {
  if (expiresAt && isExchanged(type)) {
    throw validationError([{ path: "expiresAt", message: "Exchanged credentials (ECR) have no expiry of their own: Berth shows the last exchange instead" }]);
  }
}

// ---------------------------------------------------------------------------

export interface ListQuery {
  name?: string;
  type?: string;
  /** One of the health statuses: SQL over the health columns kept with each check. */
  health?: string;
  limit?: number;
  pageToken?: string;
}

function encodeCursor(createdAt: string, id: string) {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}

/** The cursor's timestamp: UTC at microsecond precision, as the list query writes it (`to_char … US"Z"`). */
const CURSOR_AT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;

/** Only real dates in the cursor's own format reach SQL (anything else would fail the cast: a 500). */
function isCursorTimestamp(value: string): boolean {
  const m = CURSOR_AT.exec(value);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return y >= 1000 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
}

function decodeCursor(token: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string" && isUuid(v[1]) && isCursorTimestamp(v[0])) return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw validationError([{ path: "pagination.token", message: "Not a pagination token from this API" }]);
}

/** Every column but the sealed secrets, which a list never needs. */
const listColumns = Object.fromEntries(Object.entries(getTableColumns(registries)).filter(([k]) => k !== "secretBlob" && k !== "keyId")) as Omit<
  ReturnType<typeof getTableColumns<typeof registries>>,
  "secretBlob" | "keyId"
>;

/**
 * The list query, prepared once per database client for each combination of filters (name, type,
 * cursor): the SQL is built once and a request is one Bind/Execute round trip.
 */
function listStatement(variant: { name: boolean; type: boolean; cursor: boolean; health: boolean; limited: boolean }) {
  return (db: Db) => {
    const where: SQL[] = [eq(registries.companyId, sql.placeholder("companyId")), eq(registries.isDeleted, false)];
    // A token limited to some registries lists only those (the ids as one array literal, `{a,b}`).
    if (variant.limited) where.push(sql`${registries.id} = any(${sql.placeholder("registryIds")}::uuid[])`);
    if (variant.name) where.push(ilike(registries.name, sql.placeholder("name")));
    if (variant.type) where.push(eq(registries.type, sql.placeholder("type")));
    if (variant.cursor) where.push(sql`(${registries.createdAt}, ${registries.id}) < (${sql.placeholder("cursorAt")}::timestamptz, ${sql.placeholder("cursorId")}::uuid)`);
    if (variant.health) where.push(sql`${healthStatusSql()} = ${sql.placeholder("health")}`);
    const key = `${+variant.name}${+variant.type}${+variant.cursor}${+variant.health}${+variant.limited}`;
    return (
      db
        // The cursor keeps the full (microsecond) precision, in a form that does not depend on the session's DateStyle or TimeZone.
        .select({ r: listColumns, email: creator.email, exchangedAt: registryTokens.createdAt, cursor: sql<string>`to_char(${registries.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` })
        .from(registries)
        .leftJoin(creator, eq(creator.id, registries.createdBy))
        .leftJoin(registryTokens, eq(registryTokens.registryId, registries.id))
        .where(and(...where))
        // NULLS LAST as in registries_company_created_idx (plain DESC means NULLS FIRST, which the
        // index cannot give): the page is then read from the index, not sorted out of every row.
        .orderBy(sql`${registries.createdAt} desc nulls last`, sql`${registries.id} desc nulls last`)
        .limit(sql.placeholder("limit"))
        .prepare(`berth_list_registries_${key}`)
    );
  };
}
const listStatements = Object.fromEntries(
  Array.from({ length: 32 }, (_, i) => [i, preparedPerDb(listStatement({ name: !!(i & 1), type: !!(i & 2), cursor: !!(i & 4), health: !!(i & 8), limited: !!(i & 16) }))]),
) as Record<number, (db: Db) => ReturnType<ReturnType<typeof listStatement>>>;

/**
 * Newest first, keyset-paginated on (created_at, id) at full timestamp precision; a token limited
 * to some registries lists only those.
 */
export async function listRegistries(ctx: RequestContext, q: ListQuery = {}): Promise<RegistryPage> {
  requirePermission(ctx, "registries:list");
  const limit = q.limit ?? 100;
  if (q.type && !(REGISTRY_TYPE_KEYS as readonly string[]).includes(q.type)) {
    throw validationError([{ path: "filter.type", message: `Must be one of ${REGISTRY_TYPE_KEYS.join(", ")}` }]);
  }
  if (q.health && !(HEALTH_STATUSES as readonly string[]).includes(q.health)) {
    throw validationError([{ path: "filter.health", message: `Must be one of ${HEALTH_STATUSES.join(", ")}` }]);
  }
  const cursor = q.pageToken ? decodeCursor(q.pageToken) : null;
  const db = await getDb();
  const statement = listStatements[(q.name ? 1 : 0) | (q.type ? 2 : 0) | (cursor ? 4 : 0) | (q.health ? 8 : 0) | (ctx.registryIds ? 16 : 0)]!(db);
  const rows = await statement.execute({
    companyId: ctx.companyId,
    // Ids come from the token's row (uuids): safe inside an array literal.
    registryIds: ctx.registryIds ? `{${ctx.registryIds.join(",")}}` : undefined,
    name: q.name ? `%${q.name.replace(/[\\%_]/g, (c) => "\\" + c)}%` : undefined,
    type: q.type,
    health: q.health,
    cursorAt: cursor?.[0],
    cursorId: cursor?.[1],
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((p) => toDto(p.r, p.email, p.exchangedAt)),
    limit,
    nextPageToken: rows.length > limit && last ? encodeCursor(last.cursor, last.r.id) : null,
  };
}

export async function getRegistry(ctx: RequestContext, id: string): Promise<RegistryDto> {
  requirePermission(ctx, "registries:list");
  const db = await getDb();
  const row = await loadRegistryRow(ctx, id, { db });
  return fullDto(db, row);
}

/** Create from a typed body or the generic body `{name, url, username?, password?, token?}`. */
export async function createRegistry(ctx: RequestContext, body: unknown): Promise<RegistryDto> {
  requirePermission(ctx, "registries:write");
  refuseLimitedCreate(ctx);
  const parsed = parseCreateRegistryBody(body);
  if (!parsed.ok) throw validationError(parsed.errors);
  const db = await getDb();
  try {
    const { row, dto, deliveryIds } = await db.transaction((tx) => insertRegistry(tx as unknown as Db, ctx, parsed));
    deliverSoon(deliveryIds);
    return await afterSave(row, dto);
  } catch (err) {
    if (isUniqueViolation(err)) conflictFrom(err, parsed.data.name, bindingOf(parsed.data.type, parsed.data.credentials).url);
    throw err;
  }
}

/**
 * The write of a create, inside the caller's transaction: seals the secrets to the new row,
 * inserts it and audits `registry.created` (field names, never values). The input has been
 * parsed by `parseCreateRegistryBody`; the caller has checked `registries:write`. A name or URL
 * already in use surfaces as PostgreSQL's unique violation, for the caller to map.
 */
export async function insertRegistry(
  tx: Db,
  ctx: RequestContext,
  parsed: { data: RegistryInput; warnings: FieldIssue[] },
  audit: Record<string, unknown> = {},
): Promise<{ row: Row; dto: RegistryDto; deliveryIds: string[] }> {
  const input = parsed.data;
  const id = randomUUID();
  const { plain, secret } = splitCredentials(input.credentials);
  const { url, plainHttp } = bindingOf(input.type, input.credentials);
  checkExpiresAtAllowed(input.type, input.expiresAt);
  const sealed = sealRegistrySecrets(secret, { companyId: ctx.companyId, registryId: id });
  const [row] = await tx
    .insert(registries)
    .values({
      id,
      companyId: ctx.companyId,
      type: input.type,
      name: input.name,
      url,
      plainHttp,
      credentials: plain,
      secretFields: Object.keys(secret).sort(),
      secretBlob: sealed.blob,
      keyId: sealed.keyId,
      isActive: input.isActive,
      scheduledChecks: input.scheduledChecks,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      expiresAtSource: input.expiresAt ? "user" : null,
      createdBy: ctx.userId,
      modifiedBy: ctx.userId,
      warnings: parsed.warnings,
    })
    .returning();
  await recordAudit(tx, auditActor(ctx), {
    companyId: ctx.companyId,
    action: "registry.created",
    targetType: "registry",
    targetId: id,
    metadata: { name: input.name, type: input.type, url, fields: Object.keys(input.credentials).sort(), ...audit },
  });
  const { deliveryIds } = await enqueueEvent(tx, { companyId: ctx.companyId, type: "registry.created", registry: eventRegistry(row!), data: { isActive: row!.isActive } });
  return { row: row!, dto: toDto(row!, ctx.email), deliveryIds };
}

/**
 * The shared write path of PUT and PATCH: `next` is the full new state with secrets that were
 * given; secrets not given are kept from the row unless the binding changed, in which case
 * every secret of the type must be given again (`keptSecretsFor`).
 */
async function writeRegistry(
  ctx: RequestContext,
  id: string,
  ifMatch: string | null | undefined,
  build: (row: Row) => { input: RegistryInput; warnings: FieldIssue[]; cleared: string[] },
): Promise<RegistryDto> {
  const db = await getDb();
  let nameForConflict = "";
  let urlForConflict = "";
  let deliveries: string[] = [];
  try {
    const { row: saved, dto } = await db.transaction(async (tx) => {
      const row = await loadRegistryRow(ctx, id, { db: tx as unknown as Db, forUpdate: true });
      checkIfMatch(row, ifMatch);
      const { input, warnings, cleared } = build(row);
      if (input.type !== row.type) throw validationError([{ path: "type", message: `The type cannot be changed (it is ${row.type}); create a new registry instead` }]);
      const { plain, secret: given } = splitCredentials(input.credentials);
      const next = bindingOf(input.type, input.credentials);
      const { kept, bindingChange } = keptSecretsFor(row, input.credentials, { given: Object.keys(given), cleared });
      const bindingChanged = bindingChange !== null;
      const oldSecrets = kept.length > 0 ? openRegistrySecrets(row) : {};
      const secrets: Record<string, string> = { ...Object.fromEntries(kept.filter((k) => oldSecrets[k] !== undefined).map((k) => [k, oldSecrets[k]!])), ...given };
      const sealed = sealRegistrySecrets(secrets, { companyId: ctx.companyId, registryId: row.id });
      const changed = [
        ...(input.name !== row.name ? ["name"] : []),
        ...(input.isActive !== row.isActive ? ["isActive"] : []),
        ...(input.scheduledChecks !== row.scheduledChecks ? ["scheduledChecks"] : []),
        ...diffKeys(row.credentials as Record<string, unknown>, plain).map((k) => `credentials.${k}`),
        ...Object.keys(given).map((k) => `credentials.${k}`),
        ...row.secretFields.filter((k) => !(k in secrets)).map((k) => `credentials.${k}`),
      ];
      // A host learned from the provider (ECR's first exchange) stays while the binding does.
      const url = !bindingChanged && getRegistryType(input.type).learnsHost ? row.url : next.url;
      checkExpiresAtAllowed(input.type, input.expiresAt);
      const expiry = expiryChange(row, input.expiresAt, bindingChanged || "token" in given);
      if (expiry.changed) changed.push("expiresAt");
      nameForConflict = input.name;
      urlForConflict = url;
      const [updated] = await tx
        .update(registries)
        .set({
          name: input.name,
          isActive: input.isActive,
          scheduledChecks: input.scheduledChecks,
          url,
          plainHttp: next.plainHttp,
          credentials: plain,
          secretFields: Object.keys(secrets).sort(),
          secretBlob: sealed.blob,
          keyId: sealed.keyId,
          modifiedBy: ctx.userId,
          updatedAt: new Date(),
          version: row.version + 1,
          warnings,
          ...expiry.set,
          // A new binding or new secrets make the last test result stale.
          ...(bindingChanged || Object.keys(given).length > 0 ? { lastTestStatus: null, lastTestAt: null, lastTestMessage: null } : {}),
        })
        .where(and(eq(registries.id, row.id), eq(registries.version, row.version)))
        .returning();
      if (!updated) throw new AppError("precondition_failed", "The registry changed while it was being updated; fetch it again");
      // An exchanged password (ECR) belongs to the old keys or binding: never served again.
      if (bindingChanged || Object.keys(given).length > 0 || cleared.length > 0) await dropRegistryToken(tx as unknown as Db, row.id);
      await recordAudit(tx as unknown as Db, auditActor(ctx), {
        companyId: ctx.companyId,
        action: changed.length === 1 && changed[0] === "isActive" ? (input.isActive ? "registry.activated" : "registry.deactivated") : "registry.updated",
        targetType: "registry",
        targetId: row.id,
        metadata: { name: input.name, changed: [...new Set(changed)], hostChanged: bindingChange?.subject === "host", bindingChanged: bindingChange?.parts ?? [] },
      });
      ({ deliveryIds: deliveries } = await enqueueEvent(tx as unknown as Db, {
        companyId: ctx.companyId,
        type: "registry.updated",
        registry: eventRegistry(updated),
        data: { changed: [...new Set(changed)], isActive: updated.isActive },
      }));
      return { row: updated, dto: await fullDto(tx as unknown as Db, updated) };
    });
    deliverSoon(deliveries);
    return await afterSave(saved, dto);
  } catch (err) {
    if (isUniqueViolation(err)) conflictFrom(err, nameForConflict, urlForConflict);
    throw err;
  }
}

/**
 * What a write does to `expiresAt`: a value given sets it (by hand), null clears it, absent keeps
 * it; but a detected date belongs to the token it was read from, so a new token or binding drops
 * it (detection reads the new one's). A date set by hand stays until the user changes it.
 */
function expiryChange(row: Row, given: string | null | undefined, newToken: boolean): { changed: boolean; set: Partial<typeof registries.$inferInsert> } {
  if (given !== undefined) {
    const at = given === null ? null : new Date(given);
    const changed = (row.expiresAt?.getTime() ?? null) !== (at?.getTime() ?? null) || (at !== null && row.expiresAtSource !== "user");
    return { changed, set: { expiresAt: at, expiresAtSource: at ? "user" : null } };
  }
  if (newToken && row.expiresAtSource === "detected") {
    return { changed: true, set: { expiresAt: null, expiresAtSource: null, expiryDetectedAt: null, expiryMessage: null, expiryCheckedAt: null } };
  }
  return { changed: false, set: {} };
}

function diffKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
}

/** PUT: the full typed body; the type is fixed. */
export async function replaceRegistry(ctx: RequestContext, id: string, body: unknown, ifMatch?: string | null): Promise<RegistryDto> {
  requirePermission(ctx, "registries:write");
  const parsed = parseRegistryInput(replaceRegistrySchema, body);
  if (!parsed.ok) throw validationError(parsed.errors);
  return writeRegistry(ctx, id, ifMatch, () => ({ input: parsed.data, warnings: parsed.warnings, cleared: [] }));
}

/** PATCH: name, isActive and any credential keys; null or "" clears a key. */
export async function updateRegistry(ctx: RequestContext, id: string, body: unknown, ifMatch?: string | null): Promise<RegistryDto> {
  requirePermission(ctx, "registries:write");
  const patch = parseRegistryInput(patchRegistrySchema, body);
  if (!patch.ok) throw validationError(patch.errors);
  return writeRegistry(ctx, id, ifMatch, (row) => {
    const creds: Record<string, unknown> = { ...(row.credentials as Record<string, unknown>) };
    const cleared: string[] = [];
    for (const [k, v] of Object.entries(patch.data.credentials ?? {})) {
      if (v === null || v === "") {
        delete creds[k];
        cleared.push(k);
      } else creds[k] = v;
    }
    const merged = parseRegistryInput(replaceRegistrySchema, {
      name: patch.data.name ?? row.name,
      type: row.type,
      isActive: patch.data.isActive ?? row.isActive,
      scheduledChecks: patch.data.scheduledChecks ?? row.scheduledChecks,
      ...(patch.data.expiresAt !== undefined ? { expiresAt: patch.data.expiresAt } : {}),
      credentials: creds,
    });
    if (!merged.ok) throw validationError(merged.errors);
    return { input: merged.data, warnings: merged.warnings, cleared };
  });
}

export async function setRegistryActive(ctx: RequestContext, id: string, isActive: boolean, ifMatch?: string | null) {
  return updateRegistry(ctx, id, { isActive }, ifMatch);
}

/**
 * Soft delete: the row is marked deleted and its ciphertext wiped, freeing the name and URL.
 * A registry used by resolve or a pull secret in the last 30 days needs `force`.
 */
export async function deleteRegistry(ctx: RequestContext, id: string, opts: { force?: boolean; ifMatch?: string | null } = {}): Promise<void> {
  requirePermission(ctx, "registries:delete");
  const db = await getDb();
  let deliveries: string[] = [];
  await db.transaction(async (tx) => {
    const row = await loadRegistryRow(ctx, id, { db: tx as unknown as Db, forUpdate: true });
    requirePermission(ctx, "registries:delete", row.createdBy);
    checkIfMatch(row, opts.ifMatch);
    if (!opts.force && row.lastUsedAt && Date.now() - row.lastUsedAt.getTime() < IN_USE_WINDOW_MS) {
      const lastUse = await lastUseOf(tx as unknown as Db, ctx.companyId, row.id);
      const what = lastUse ? `last used: ${describeUse(lastUse)}` : `last used ${row.lastUsedAt.toISOString()}`;
      throw new AppError("registry_in_use", `"${row.name}" is in use (${what}); deleting it may break deployments. Repeat with ?force=true to delete anyway`, {
        extra: { lastUsedAt: row.lastUsedAt.toISOString(), lastUse },
      });
    }
    await tx
      .update(registries)
      .set({ isDeleted: true, deletedAt: new Date(), secretBlob: null, keyId: null, secretFields: [], modifiedBy: ctx.userId, updatedAt: new Date(), version: row.version + 1 })
      .where(eq(registries.id, row.id));
    await dropRegistryToken(tx as unknown as Db, row.id);
    await recordAudit(tx as unknown as Db, auditActor(ctx), { companyId: ctx.companyId, action: "registry.deleted", targetType: "registry", targetId: row.id, metadata: { name: row.name, url: row.url, forced: !!opts.force } });
    ({ deliveryIds: deliveries } = await enqueueEvent(tx as unknown as Db, { companyId: ctx.companyId, type: "registry.deleted", registry: eventRegistry(row), data: { forced: !!opts.force } }));
  });
  deliverSoon(deliveries);
}

