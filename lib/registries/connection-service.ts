/**
 * Test Connection through the API: `POST …/registries/validate` tests
 * unsaved input, `POST …/registries/{id}/test` tests a saved registry with optional overrides
 * from an edit form. Both answer 200 with the engine's result whatever the outcome; 400 is for
 * a body that fails the format checks, 429 for the limits below.
 *
 * Limits, counted in PostgreSQL so they hold across instances:
 * - `BERTH_TEST_RATE_LIMIT` tests per user per minute (`consumeRate`, bucket `connection-test`),
 *   refused bodies (400/413/415) included (`withTestBudget`);
 * - at most {@link MAX_CONCURRENT_TESTS_PER_COMPANY} tests running at once per company: a lease
 *   row in `rate_events` (bucket `connection-test-running`, subject the company id), taken under
 *   an advisory lock, deleted in a `finally`, and ignored once older than the test timeout plus
 *   {@link LEASE_MARGIN_MS} (so a process that dies mid-test frees its slot by itself).
 *
 * Stored secrets go only where the saved registry's binding says: an override that changes the
 * binding (host, port, path prefix, transport, TLS trust; all but turning skip-verify off) must
 * bring every secret of the type again, whoever the caller is (`keptSecretsFor`). `lastTest` is stored only when the
 * test used exactly the saved values (no override changed anything, any image allowed) and
 * was not cancelled; every test of a saved registry is audited as `registry.tested`.
 */
import "server-only";
import { countConnectionTest } from "@/lib/metrics";
import { and, eq, sql } from "drizzle-orm";
import { getDb, rowsOf, type Db } from "@/db";
import { rateEvents } from "@/db/schema";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { deliverSoon } from "@/lib/notifications/delivery";
import { recordCheck } from "@/lib/health/record";
import { auditActor, requirePermission, type RequestContext } from "@/lib/context";
import { env } from "@/lib/env";
import { AppError, validationError, type FieldIssue } from "@/lib/errors";
import { log } from "@/lib/log";
import { consumeRate, pruneRateEvents, rateLimitedError } from "@/lib/rate-limit";
import { bindingOf, connectionInputFromCredentials, credentialPathOf, type BindingChange } from "./binding";
import { outboundPolicyFromEnv, testConnection, type TestResult } from "./connection";
import type { ExchangeStep } from "./connection/types";
import { redact } from "./connection/redact";
import { parseImageReference, parseRegistryHost } from "./connection/target";
import { exchangeStepFor } from "./exchange";
import { refreshDetectedExpiry, wantsExpiryDetection } from "./expiry/refresh";
import { parseCreateRegistryBody } from "./generic-body";
import { loadRegistryRow, type RegistryRow } from "./registry-rows";
import { keptSecretsFor, openRegistrySecrets } from "./secrets";
import {
  isRecord,
  getRegistryType,
  isSecretField,
  parseRegistryInput,
  patchRegistrySchema,
  replaceRegistrySchema,
  type RegistryCredentials,
  type RegistryTypeKey,
} from "./schemas";

export const MAX_CONCURRENT_TESTS_PER_COMPANY = 5;
/** A lease outlives the test's own deadline by this much before it stops counting. */
export const LEASE_MARGIN_MS = 15_000;
export const RATE_BUCKET = "connection-test";
export const LEASE_BUCKET = "connection-test-running";
const RATE_WINDOW_MS = 60_000;
const MAX_IMAGE_LENGTH = 1024;
/** The name used when an unsaved registry has none yet: testing needs no name. */
const UNSAVED_NAME = "Unsaved registry";

export type ConnectionTestAnswer = TestResult;

// ---------------------------------------------------------------------------
// Limits.

/**
 * Takes a concurrency slot for the company and one unit of the caller's per-minute budget, in
 * one transaction (company lock, then the user's lock inside `consumeRate`: always that order).
 * Refusals record nothing. Returns the lease id to release.
 */
async function acquireTestSlot(db: Db, ctx: RequestContext, timeoutMs: number): Promise<number> {
  const leaseMs = timeoutMs + LEASE_MARGIN_MS;
  const leaseId = await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await t.execute(sql`select pg_advisory_xact_lock(hashtext(${`${LEASE_BUCKET}:${ctx.companyId}`}))`);
    // Leases older than the timeout plus a margin belong to a process that died: they stop
    // counting (and go with pruneRateEvents).
    const ofCompany = and(
      eq(rateEvents.bucket, LEASE_BUCKET),
      eq(rateEvents.subject, ctx.companyId),
      sql`${rateEvents.createdAt} > now() - ${leaseMs}::int * interval '1 millisecond'`,
    );
    const [running] = rowsOf<{ n: number | string; wait: number | string | null }>(
      await t.execute(
        sql`select count(*)::int as n,
                   extract(epoch from (min(${rateEvents.createdAt}) + ${timeoutMs}::int * interval '1 millisecond' - now()))::float8 as wait
            from ${rateEvents} where ${ofCompany}`,
      ),
    );
    if (Number(running?.n ?? 0) >= MAX_CONCURRENT_TESTS_PER_COMPANY) {
      throw rateLimitedError(Number(running?.wait ?? 1), `${MAX_CONCURRENT_TESTS_PER_COMPANY} connection tests are already running for this company.`);
    }
    const rate = await consumeRate(t, { bucket: RATE_BUCKET, subject: ctx.userId, limit: env().BERTH_TEST_RATE_LIMIT, windowMs: RATE_WINDOW_MS });
    if (!rate.allowed) {
      throw rateLimitedError(rate.retryAfterSeconds, `You ran ${env().BERTH_TEST_RATE_LIMIT} connection tests in the last minute, the most allowed.`);
    }
    const [lease] = await t.insert(rateEvents).values({ bucket: LEASE_BUCKET, subject: ctx.companyId }).returning({ id: rateEvents.id });
    return lease!.id;
  });
  if (Math.random() < 0.02) await pruneRateEvents(db).catch(() => undefined);
  return leaseId;
}

/**
 * A caller over the per-minute budget is refused (429) before its body is even parsed; a body
 * refused by the format checks (400) uses one unit of the budget, like a test that ran. Without
 * that, invalid bodies were free: a caller could make the server parse large inputs without end
 * (issue 16, the ReDoS in the key check was reachable that way).
 */
/** Refusals of the body: 400 (bad JSON, format errors), 413 (too large), 415 (not JSON). */
const REFUSED_BODY = new Set([400, 413, 415]);

/** Reads the request body (the route's `readJson`): inside the budget, so its refusals count too. */
export type BodySource = () => Promise<unknown>;

async function withTestBudget<T>(ctx: RequestContext, parse: () => Promise<T> | T): Promise<T> {
  const db = await getDb();
  const limit = env().BERTH_TEST_RATE_LIMIT;
  const refused = (seconds: number) => rateLimitedError(seconds, `You ran ${limit} connection tests in the last minute, the most allowed.`);
  const before = await consumeRate(db, { bucket: RATE_BUCKET, subject: ctx.userId, limit, windowMs: RATE_WINDOW_MS, record: false });
  if (!before.allowed) throw refused(before.retryAfterSeconds);
  try {
    return await parse();
  } catch (err) {
    if (err instanceof AppError && REFUSED_BODY.has(err.status)) {
      const spent = await consumeRate(db, { bucket: RATE_BUCKET, subject: ctx.userId, limit, windowMs: RATE_WINDOW_MS });
      if (!spent.allowed) throw refused(spent.retryAfterSeconds);
    }
    throw err;
  }
}

async function releaseTestSlot(db: Db, leaseId: number): Promise<void> {
  try {
    await db.delete(rateEvents).where(eq(rateEvents.id, leaseId));
  } catch (err) {
    // The lease expires by itself; the answer must not be lost for it.
    log.warn({ err, leaseId }, "could not release a connection-test lease");
  }
}

/** Runs the engine inside the limits; the slot is released whatever happens. */
async function runLimited(ctx: RequestContext, run: (timeoutMs: number) => Promise<TestResult>): Promise<TestResult> {
  const timeoutMs = env().BERTH_TEST_TIMEOUT_MS;
  const db = await getDb();
  const leaseId = await acquireTestSlot(db, ctx, timeoutMs);
  try {
    return await run(timeoutMs);
  } finally {
    await releaseTestSlot(db, leaseId);
  }
}

// ---------------------------------------------------------------------------
// Shared pieces.

/** `image` of a body: absent or blank is none; anything else must be a reference (checked later). */
function readImage(body: Record<string, unknown>): { image?: string; errors: FieldIssue[] } {
  const value = body.image;
  if (value === undefined || value === null) return { errors: [] };
  if (typeof value !== "string") return { errors: [{ path: "image", message: "Must be text, e.g. team/app:1.0" }] };
  if (value.length > MAX_IMAGE_LENGTH) return { errors: [{ path: "image", message: `Must be at most ${MAX_IMAGE_LENGTH} characters` }] };
  return value.trim() === "" ? { errors: [] } : { image: value.trim(), errors: [] };
}

/** A malformed image reference is a format error of the body (400), found before any network call. */
function checkImage(type: RegistryTypeKey, image: string | undefined, host: string, plainHttp: boolean): void {
  if (!image) return;
  const target = parseRegistryHost(host, plainHttp);
  if (!target.ok) return; // the engine reports the host itself
  const parsed = parseImageReference(image, target.value, getRegistryType(type).learnsHost?.matches);
  if (!parsed.ok) throw validationError([{ path: "image", message: parsed.message }]);
}

/**
 * Who runs a test: a request's caller, inside the per-user and per-company limits, or the
 * scheduler running as the system for the registry's company (its own limits: per host and per
 * instance), whose exchanges are audited without a user.
 */
interface EngineCaller {
  actor: AuditActor;
  limited: (run: (timeoutMs: number) => Promise<TestResult>) => Promise<TestResult>;
}

const requestCaller = (ctx: RequestContext): EngineCaller => ({ actor: auditActor(ctx), limited: (run) => runLimited(ctx, run) });
const systemCaller = (requestId: string): EngineCaller => ({ actor: { requestId }, limited: (run) => run(env().BERTH_TEST_TIMEOUT_MS) });

async function runEngine(
  caller: EngineCaller,
  type: RegistryTypeKey,
  credentials: RegistryCredentials,
  plainHttp: boolean,
  image: string | undefined,
  signal: AbortSignal | undefined,
  conventionWarnings: FieldIssue[],
  /** A saved registry tested with its saved keys: an exchange (ECR) may use its shared cache. */
  saved?: RegistryRow,
): Promise<{ result: TestResult; learnedHost: boolean }> {
  // The schema raised the type's convention warnings; the engine adds what it finds on the way.
  const input = connectionInputFromCredentials(type, credentials, { plainHttp, image, conventionsChecked: true });
  checkImage(type, image, input.host, plainHttp);
  const step = exchangeStepFor(type, credentials, saved && { registry: saved, actor: caller.actor });
  let learnedHost = false;
  const exchange: ExchangeStep | undefined =
    step &&
    (async (transport) => {
      const login = await step(transport);
      learnedHost = login.learnedHost === true;
      return login;
    });
  const result = await caller.limited((timeoutMs) => testConnection(input, { policy: outboundPolicyFromEnv(), timeoutMs, signal, exchange }));
  const found = result.warnings.map((w) => ({ path: credentialPathOf(type, credentials, w.path), message: w.message }));
  // The engine redacts what it sent; the type's other secrets (ECR's secret key) are redacted here.
  const secrets = Object.entries(credentials).flatMap(([key, value]) => (isSecretField(key) && typeof value === "string" ? [value] : []));
  return { result: redact({ ...result, warnings: [...conventionWarnings, ...found] }, secrets), learnedHost };
}

// ---------------------------------------------------------------------------
// POST …/registries/validate

/**
 * Test Connection on unsaved input: a create body (typed or the generic body) plus an
 * optional `image`. `name` may be left out (a test needs none). 400 only for a body that fails
 * the format checks; otherwise 200 with the result, whatever the outcome.
 */
export async function validateRegistryInput(ctx: RequestContext, readBody: BodySource, signal?: AbortSignal): Promise<TestResult> {
  requirePermission(ctx, "registries:validate");
  const { result } = await withTestBudget(ctx, async () => {
    const body = await readBody();
    if (!isRecord(body)) throw validationError([{ path: "", message: "Must be a JSON object" }]);
    const { image, errors: imageErrors } = readImage(body);
    const rest = Object.fromEntries(Object.entries(body).filter(([key]) => key !== "image"));
    const named = rest.name === undefined || rest.name === null || (typeof rest.name === "string" && rest.name.trim() === "") ? { ...rest, name: UNSAVED_NAME } : rest;
    const parsed = parseCreateRegistryBody(named);
    if (!parsed.ok || imageErrors.length > 0) throw validationError([...(parsed.ok ? [] : parsed.errors), ...imageErrors]);
    const { type, credentials } = parsed.data;
    const { plainHttp } = bindingOf(type, credentials);
    // The engine checks the image reference (400) before it takes a unit of the budget itself.
    return runEngine(requestCaller(ctx), type, credentials, plainHttp, image, signal, parsed.warnings);
  });
  countConnectionTest(result.status);
  return result;
}

// ---------------------------------------------------------------------------
// POST …/registries/{id}/test

type Row = RegistryRow;

/** Keys of the test body; `name` and `isActive` of an edit form are accepted and ignored. */
const TEST_BODY_KEYS = new Set(["credentials", "image", "type", "name", "isActive"]);

interface PlannedTest {
  credentials: RegistryCredentials;
  plainHttp: boolean;
  url: string;
  /** What changed in the binding (the test then used only secrets given with it); null when nothing. */
  bindingChange: BindingChange | null;
  /** Field paths the overrides changed (names only). */
  overridden: string[];
  /** The test uses exactly the saved values: its result becomes the registry's lastTest. */
  savedValues: boolean;
  warnings: FieldIssue[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return (a ?? undefined) === (b ?? undefined);
}

/**
 * Merges edit-form overrides into the saved registry. Non-secret fields: a value replaces, ""
 * or null clears. Secrets: a non-blank value replaces, "" or absent keeps the stored one
 * ("leave blank to keep"), null drops it. Stored secrets are used only while the binding is
 * the saved one.
 */
function planTest(row: Row, overrides: Record<string, unknown>): PlannedTest {
  const type = row.type as RegistryTypeKey;
  const stored = row.credentials as Record<string, unknown>;
  const creds: Record<string, unknown> = { ...stored };
  const cleared: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    const blank = value === null || (typeof value === "string" && value.trim() === "");
    if (isSecretField(key)) {
      if (value === null) cleared.push(key);
      else if (!blank) creds[key] = value;
    } else if (blank) delete creds[key];
    else creds[key] = value;
  }
  const merged = parseRegistryInput(replaceRegistrySchema, { name: row.name, type, isActive: row.isActive, credentials: creds });
  if (!merged.ok) throw validationError(merged.errors);
  const credentials = merged.data.credentials;
  const given: string[] = Object.keys(credentials).filter((key) => isSecretField(key));
  const next = bindingOf(type, credentials);
  const { kept, bindingChange } = keptSecretsFor(row, credentials, { given, cleared });

  const needStored = kept.length > 0 || (!bindingChange && given.some((f) => row.secretFields.includes(f)));
  const storedSecrets = needStored ? openRegistrySecrets(row) : {};
  const effective: RegistryCredentials = { ...credentials };
  for (const field of kept) {
    const value = storedSecrets[field];
    if (value !== undefined) (effective as Record<string, unknown>)[field] = value;
  }
  const plainKeys = new Set([...Object.keys(stored), ...Object.keys(credentials).filter((k) => !isSecretField(k))]);
  const overridden = [
    ...[...plainKeys].filter((k) => !sameValue(stored[k], (credentials as Record<string, unknown>)[k])),
    ...given.filter((f) => storedSecrets[f] !== (credentials as Record<string, unknown>)[f]),
    ...cleared.filter((f) => row.secretFields.includes(f)),
  ]
    .map((k) => `credentials.${k}`)
    .sort();
  return {
    credentials: effective,
    plainHttp: next.plainHttp,
    url: next.url,
    bindingChange,
    overridden: [...new Set(overridden)],
    savedValues: !bindingChange && overridden.length === 0,
    warnings: merged.warnings,
  };
}

function readTestBody(row: Row, body: unknown): { overrides: Record<string, unknown>; image?: string } {
  if (body === undefined || body === null) return { overrides: {} };
  if (!isRecord(body)) throw validationError([{ path: "", message: "Must be a JSON object" }]);
  const errors: FieldIssue[] = Object.keys(body)
    .filter((key) => !TEST_BODY_KEYS.has(key))
    .map((key) => ({ path: key, message: "Unknown field" }));
  if (body.type !== undefined && body.type !== row.type) {
    errors.push({ path: "type", message: `The type cannot be changed (it is ${row.type})` });
  }
  const { image, errors: imageErrors } = readImage(body);
  errors.push(...imageErrors);
  let overrides: Record<string, unknown> = {};
  if (body.credentials !== undefined && body.credentials !== null) {
    const patch = parseRegistryInput(patchRegistrySchema, { credentials: body.credentials });
    if (!patch.ok) errors.push(...patch.errors);
    else overrides = isRecord(body.credentials) ? body.credentials : {};
  }
  if (errors.length > 0) throw validationError(errors);
  return { overrides, ...(image ? { image } : {}) };
}

/**
 * Test Connection on a saved registry, with optional overrides `{credentials?, image?}` from an
 * edit form; see {@link planTest} for how overrides combine with the stored values.
 */
export async function testSavedRegistry(ctx: RequestContext, id: string, readBody: BodySource, signal?: AbortSignal): Promise<TestResult> {
  requirePermission(ctx, "registries:test");
  const row = await loadRegistryRow(ctx, id);
  const type = row.type as RegistryTypeKey;
  const { image, plan, engine } = await withTestBudget(ctx, async () => {
    const { overrides, image } = readTestBody(row, await readBody());
    const plan = planTest(row, overrides);
    // The shared token cache (ECR) is for the saved keys only: not for keys given with the test.
    const savedKeys = !plan.bindingChange && !plan.overridden.some((path) => isSecretField(path.replace(/^credentials\./, "")));
    const engine = await runEngine(requestCaller(ctx), type, plan.credentials, plan.plainHttp, image, signal, plan.warnings, savedKeys ? row : undefined);
    return { image, plan, engine };
  });
  countConnectionTest(engine.result.status);
  const { learnedHost } = engine;
  // An edit form holding the registry's version needs to know the URL (and so the version) changed.
  const result: TestResult = learnedHost ? { ...engine.result, details: { ...engine.result.details, urlLearned: true } } : engine.result;

  const cancelled = result.details.cancelled === true;
  const record = plan.savedValues && !cancelled;
  const db = await getDb();
  let deliveryIds: string[] = [];
  await db.transaction(async (tx) => {
    if (record) {
      // lastTest, the history and the health; not when the registry was edited meanwhile (a new
      // secret clears lastTest; this result is about the old one). Learning the URL from this
      // test's exchange bumped the version once.
      ({ deliveryIds } = await recordCheck(tx as unknown as Db, row, result, { trigger: ctx.via === "token" ? "token" : "user", expectVersion: row.version + (learnedHost ? 1 : 0) }));
    }
    await recordAudit(tx as unknown as Db, auditActor(ctx), {
      companyId: ctx.companyId,
      action: "registry.tested",
      targetType: "registry",
      targetId: row.id,
      metadata: {
        name: row.name,
        url: plan.url,
        status: result.status,
        stage: result.stage,
        ok: result.ok,
        latencyMs: result.latencyMs,
        overridden: plan.overridden,
        hostChanged: plan.bindingChange?.subject === "host",
        bindingChanged: plan.bindingChange?.parts ?? [],
        image: image ?? null,
        recorded: record,
        ...(cancelled ? { cancelled: true } : {}),
      },
    });
  });
  deliverSoon(deliveryIds); // check_failed / recovered, once committed
  // A successful test of the saved credentials also reads the token's expiry, when the registry
  // opted in (the stored token and the saved expiry API only: never an override's).
  if (record && result.status === "success" && wantsExpiryDetection(row)) {
    await refreshDetectedExpiry(db, row).catch((err: unknown) => log.warn({ err, registryId: row.id }, "token expiry detection failed"));
  }
  return result;
}

/**
 * A scheduled check: Test Connection on the saved values of a registry (login only, no image),
 * run as the system for its company, recorded like a manual test of the saved values (history,
 * lastTest, health) by the caller with `recordCheck`. `row` is the registry as loaded by the
 * scheduler; the answer says which version the result is about.
 */
export async function checkSavedRegistryAsSystem(row: RegistryRow, options: { requestId: string; signal?: AbortSignal }): Promise<{ result: TestResult; version: number }> {
  const plan = planTest(row, {});
  const engine = await runEngine(systemCaller(options.requestId), row.type as RegistryTypeKey, plan.credentials, plan.plainHttp, undefined, options.signal, plan.warnings, row);
  return { result: engine.result, version: row.version + (engine.learnedHost ? 1 : 0) };
}
