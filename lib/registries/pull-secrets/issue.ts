/**
 * The pull-secret operation, for the API and the UI alike: the one place where stored registry
 * secrets leave the server on purpose.
 *
 * Order of checks: the permission (`registries:pull`: owners and admins; token scope
 * `registries:pull`), the caller's rate limit (`BERTH_PULL_RATE_LIMIT` per minute per API token,
 * or per user for a session; counted in PostgreSQL, every attempt counts), the body, then the
 * selection: unknown or deleted ids are 404, inactive registries 400, images and hosts that
 * match no active registry 404, each naming them. A token limited to some registries selects only
 * among those: another registry's id, image or host reads exactly like one Berth does not know. Images select the registry `resolve` would
 * answer; hosts every active registry on the host. A `public` registry adds nothing (it needs no
 * credentials). Each issued secret is audited (`registry.pull_secret_issued`: who, token or
 * session, registries, images or hosts, address, format, client; never a secret) and recorded
 * as a use of each registry, in one transaction.
 */
import "server-only";
import { deliverSoon } from "@/lib/notifications/delivery";
import { enqueueEvent } from "@/lib/notifications/outbox";
import { and, eq, inArray } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { registries } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission, type RequestContext } from "@/lib/context";
import { env } from "@/lib/env";
import { AppError, validationError, zodErrors, type FieldIssue } from "@/lib/errors";
import { consumeRate, rateLimitedError } from "@/lib/rate-limit";
import { parseImageDomain, parseImageName } from "../connection/image-name";
import { exchangeTransportFromEnv } from "../exchange";
import { registriesForImage, registriesOnHost } from "../image-match";
import { registryScope, type RegistryRow } from "../registry-rows";
import { loadCandidates, noRegistryFor, type Candidate, type UseMeta } from "../resolve";
import { maybePruneRegistryUses, recordRegistryUses, type UseRecord } from "../usage";
import { formatPullSecret, type PullSecretContent, type SignInEntry } from "./formats";
import { pullSecretRequestSchema, type PullSecretFormat, type PullSecretRequest } from "./request";
import { signInFor, type SignInOutcome } from "./sign-in";

export const PULL_RATE_BUCKET = "pull-secret";
const RATE_WINDOW_MS = 60_000;
const MAX_AUDITED_USER_AGENT = 200;

export interface PullSecretAnswer {
  format: PullSecretFormat;
  content: PullSecretContent;
  /** The earliest expiry of the credentials in `content`, or null when none expires. */
  expiresAt: string | null;
  /** The registries whose credentials `content` holds. */
  registries: { id: string; name: string; host: string; prefix: string }[];
}

/** A selected registry, with the body path that selected it first (for messages) and what asked for it. */
interface Selected {
  id: string;
  path: string;
  subjects: (string | null)[];
}

async function checkRate(db: Db, ctx: RequestContext): Promise<void> {
  const limit = env().BERTH_PULL_RATE_LIMIT;
  const subject = ctx.tokenId ? `token:${ctx.tokenId}` : `user:${ctx.userId}`;
  const rate = await consumeRate(db, { bucket: PULL_RATE_BUCKET, subject, limit, windowMs: RATE_WINDOW_MS });
  if (!rate.allowed) throw rateLimitedError(rate.retryAfterSeconds, `${limit} pull secrets were issued to ${ctx.tokenId ? "this API token" : "you"} in the last minute, the most allowed.`);
}

function add(selected: Map<string, Selected>, id: string, path: string, subject: string | null): void {
  const entry = selected.get(id);
  if (entry) entry.subjects.push(subject);
  else selected.set(id, { id, path, subjects: [subject] });
}

/** Which registries the body names, in the order asked; throws the 400 or 404 of a bad selection. */
function select(req: PullSecretRequest, candidates: readonly Candidate[]): Map<string, Selected> {
  const selected = new Map<string, Selected>();
  const active = candidates.filter((c) => c.isActive);
  const errors: FieldIssue[] = [];
  const unmatched: string[] = [];
  if (req.registryIds) {
    const byId = new Map(candidates.map((c) => [c.id.toLowerCase(), c]));
    req.registryIds.forEach((id, i) => {
      const found = byId.get(id.trim().toLowerCase());
      if (!found) unmatched.push(`registryIds.${i}`);
      else if (!found.isActive) errors.push({ path: `registryIds.${i}`, message: `The registry "${found.name}" is inactive: activate it to issue its pull secret` });
      else add(selected, found.id, `registryIds.${i}`, null);
    });
    // Named by position: an id is never echoed, so another company's id reads like any unknown one.
    if (unmatched.length > 0) throw new AppError("not_found", `Registry not found (${unmatched.join(", ")})`, { extra: { missing: unmatched } });
  }
  if (req.images) {
    req.images.forEach((text, i) => {
      const image = parseImageName(text);
      if (!image.ok) return void errors.push({ path: `images.${i}`, message: image.message });
      const [best] = registriesForImage(image.value, active);
      if (!best) unmatched.push(text.trim());
      else add(selected, best.id, `images.${i}`, text.trim());
    });
  }
  if (req.hosts) {
    req.hosts.forEach((text, i) => {
      const host = parseImageDomain(text.trim());
      if (!host.ok) return void errors.push({ path: `hosts.${i}`, message: `"${text.trim()}" is not a registry host like ghcr.io or 127.0.0.1:5000: ${host.message}` });
      const onHost = registriesOnHost(host.value, active);
      if (onHost.length === 0) unmatched.push(text.trim());
      for (const c of onHost) add(selected, c.id, `hosts.${i}`, text.trim());
    });
  }
  if (errors.length > 0) throw validationError(errors);
  if (unmatched.length > 0) {
    const detail = req.images ? noRegistryFor(unmatched) : `No active registry on ${unmatched.join(", ")}.`;
    throw new AppError("not_found", detail, { extra: { missing: unmatched } });
  }
  return selected;
}

async function loadRows(db: Db, ctx: RequestContext, ids: readonly string[]): Promise<Map<string, RegistryRow>> {
  const rows = await db
    .select()
    .from(registries)
    .where(and(eq(registries.companyId, ctx.companyId), inArray(registries.id, [...ids]), eq(registries.isDeleted, false), registryScope(ctx)));
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The registry's own expiry (an operator-set `expiresAt` column on registries), when the schema
 * has one: the answer's `expiresAt` is the earliest of these and the exchanged passwords' expiries.
 */
function ownExpiryOf(row: RegistryRow): Date | null {
  return row.expiresAt ?? null;
}

function earliest(dates: readonly (Date | null)[]): Date | null {
  const times = dates.filter((d): d is Date => d !== null).map((d) => d.getTime());
  return times.length > 0 ? new Date(Math.min(...times)) : null;
}

export async function issuePullSecret(
  ctx: RequestContext,
  body: unknown,
  meta: { client: UseMeta["client"]; userAgent?: string | null; ip?: string | null },
): Promise<PullSecretAnswer> {
  requirePermission(ctx, "registries:pull");
  const db = await getDb();
  await checkRate(db, ctx);
  const parsed = pullSecretRequestSchema.safeParse(body);
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const req = parsed.data;
  const selected = select(req, await loadCandidates(db, ctx));
  const rows = await loadRows(db, ctx, [...selected.keys()]);
  const gone = [...selected.keys()].filter((id) => !rows.has(id));
  if (gone.length > 0) throw new AppError("not_found", `Registry not found (${gone.map((id) => selected.get(id)!.path).join(", ")}): it was deleted meanwhile`);

  const transport = exchangeTransportFromEnv();
  const picked = [...selected.values()];
  const outcomes: SignInOutcome[] = await Promise.all(picked.map((s) => signInFor(ctx, rows.get(s.id)!, transport)));
  const missing: FieldIssue[] = [];
  const entries: SignInEntry[] = [];
  const listed: PullSecretAnswer["registries"] = [];
  const keyOwner = new Map<string, RegistryRow>();
  const expiries: (Date | null)[] = [];
  picked.forEach((s, i) => {
    const row = rows.get(s.id)!;
    const outcome = outcomes[i]!;
    expiries.push(ownExpiryOf(row));
    if (outcome.kind === "anonymous") return;
    if (outcome.kind === "missing") return void missing.push({ path: s.path, message: `The registry "${row.name}" has no stored ${outcome.field}: add it to issue a pull secret` });
    const clash = keyOwner.get(outcome.entry.key);
    if (clash) {
      throw new AppError("conflict", `The registries "${clash.name}" and "${row.name}" both sign in to ${outcome.entry.key}; a pull secret holds one login per key: ask for one of them`, {
        extra: { registryIds: [clash.id, row.id] },
      });
    }
    keyOwner.set(outcome.entry.key, row);
    entries.push(outcome.entry);
    expiries.push(outcome.expiresAt);
    listed.push({ id: row.id, name: row.name, host: outcome.host, prefix: outcome.prefix });
  });
  if (missing.length > 0) throw validationError(missing);

  const content = formatPullSecret(req.format, entries, { name: req.name, namespace: req.namespace });
  const expiresAt = earliest(expiries);
  const uses: UseRecord[] = picked.flatMap((s) => s.subjects.map((subject) => ({ registryId: s.id, subject })));
  const deliveryIds = await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await recordAudit(t, { ...auditActor(ctx), ip: meta.ip ?? ctx.ip }, {
      companyId: ctx.companyId,
      action: "registry.pull_secret_issued",
      targetType: "registry",
      ...(listed.length === 1 ? { targetId: listed[0]!.id } : {}),
      metadata: {
        format: req.format,
        client: meta.client,
        via: ctx.via,
        registryIds: listed.map((r) => r.id),
        registries: listed.map((r) => r.name),
        ...(req.registryIds ? { requestedIds: [...selected.keys()] } : {}),
        ...(req.images ? { images: req.images.map((x) => x.trim()) } : {}),
        ...(req.hosts ? { hosts: req.hosts.map((x) => x.trim()) } : {}),
        ...(req.format === "kubernetes" ? { name: req.name ?? null, namespace: req.namespace ?? null } : {}),
        expiresAt: expiresAt?.toISOString() ?? null,
        ...(meta.userAgent ? { userAgent: meta.userAgent.slice(0, MAX_AUDITED_USER_AGENT) } : {}),
      },
    });
    // One webhook event per registry handed out, in the same transaction as the audit row.
    const ids: string[] = [];
    for (const r of listed) {
      const row = rows.get(r.id)!;
      const subjects = selected.get(r.id)?.subjects.filter((x): x is string => !!x) ?? [];
      const { deliveryIds: d } = await enqueueEvent(t, {
        companyId: ctx.companyId,
        type: "registry.pull_secret_issued",
        registry: { id: row.id, name: row.name, type: row.type, url: row.url },
        data: { format: req.format, client: meta.client, via: ctx.via, actor: { userId: ctx.userId, tokenId: ctx.tokenId ?? null }, subjects, expiresAt: expiresAt?.toISOString() ?? null },
      });
      ids.push(...d);
    }
    // Last, just before the commit: it updates the registry's row of the day (and now and then
    // its last use), rows every pull of that registry writes, so their locks are held for one
    // statement instead of through the audit and webhook inserts (issue 16's load suite).
    await recordRegistryUses(t, ctx, "pull-secret", meta.client, uses);
    return ids;
  });
  deliverSoon(deliveryIds);
  await maybePruneRegistryUses(db);
  return { format: req.format, content, expiresAt: expiresAt?.toISOString() ?? null, registries: listed };
}
