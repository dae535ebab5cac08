/**
 * `POST …/registries/import`: one registry per `auths` entry of a Docker config, through the
 * create API's generic-body mapping and validation, answered per key as created, skipped (an
 * active registry with the same URL and the same user is already there) or in conflict (the URL
 * is held for another user, by a deactivated registry or over another transport, or the entry
 * cannot be mapped: no credentials in the file, an identity token only, a credential helper).
 *
 * The whole import is one transaction under a per-company advisory lock, each insert in its
 * own savepoint:
 * - two imports at once run one after the other, so the second finds the first's rows and
 *   skips them (never a second row, never a 409 for what is already there);
 * - a registry created meanwhile by the ordinary create API trips the unique index inside the
 *   savepoint only: that entry is looked at again (skipped or in conflict) and the rest go on;
 * - an unexpected failure leaves nothing half imported;
 * - a dry run is the same transaction rolled back at the end, so its answer is exactly what the
 *   import would do, duplicates inside one file included, and nothing is written (no row, no
 *   audit event). Its `registry` objects show what would be stored; their ids are never kept.
 *
 * Names are the registry URL (`ghcr.io`, `docker.io`, `127.0.0.1:5000/team-a`); when another
 * registry already has that name, the first free of `NAME (2)`, `NAME (3)`, … is used.
 */
import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { registries } from "@/db/schema";
import { requirePermission, type RequestContext } from "@/lib/context";
import { isUniqueViolation } from "@/lib/db-errors";
import { AppError, validationError } from "@/lib/errors";
import { bindingOf } from "./binding";
import { importRequestSchema, parseDockerConfig, type DockerConfigEntry, type ImportAnswer } from "./docker-config";
import { parseCreateRegistryBody } from "./generic-body";
import { refuseLimitedCreate } from "./registry-rows";
import { toFieldIssues, type RegistryInput } from "./schemas";
import { insertRegistry, violatedRegistryRule } from "./service";

const MAX_NAME = 100;
/** Suffixes tried after the plain name: `NAME (2)` … `NAME (100)`. */
const MAX_NAME_SUFFIX = 100;

/** Thrown inside the transaction to roll a dry run back. */
class DryRunRollback extends Error {}

export async function importDockerConfig(ctx: RequestContext, body: unknown): Promise<ImportAnswer> {
  requirePermission(ctx, "registries:write");
  refuseLimitedCreate(ctx);
  const request = importRequestSchema.safeParse(body);
  if (!request.success) throw validationError(toFieldIssues(request.error));
  const { dryRun } = request.data;
  let config: unknown = request.data.dockerconfigjson;
  if (typeof config === "string") {
    try {
      config = JSON.parse(config);
    } catch {
      throw validationError([{ path: "dockerconfigjson", message: "Not valid JSON: paste the whole config.json" }]);
    }
  }
  const parsed = parseDockerConfig(config);
  if (!parsed.ok) throw validationError(parsed.errors);

  const answer: ImportAnswer = { dryRun, created: [], skipped: [], conflicts: [] };
  const db = await getDb();
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`berth:registry-import:${ctx.companyId}`}))`);
      for (const entry of parsed.entries) await importEntry(tx as unknown as Db, ctx, entry, answer);
      if (dryRun) throw new DryRunRollback();
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  return answer;
}

async function importEntry(tx: Db, ctx: RequestContext, entry: DockerConfigEntry, answer: ImportAnswer): Promise<void> {
  const { key } = entry;
  if ("reason" in entry) {
    answer.conflicts.push({ key, reason: entry.reason });
    return;
  }
  // The name is chosen below, once the URL is known; the schema needs one meanwhile.
  const mapped = parseCreateRegistryBody({ name: "import", url: entry.url, username: entry.username, password: entry.password });
  if (!mapped.ok) {
    const problems = mapped.errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    answer.conflicts.push({ key, reason: `Cannot be mapped to a registry (${problems})` });
    return;
  }
  const input = mapped.data;
  const { url, plainHttp } = bindingOf(input.type, input.credentials);
  const where = { url, type: input.type };

  for (let attempt = 0; ; attempt++) {
    const existing = await registryAt(tx, ctx, url);
    if (existing) {
      const outcome = compareWithExisting(existing, input, plainHttp);
      answer[outcome.skipped ? "skipped" : "conflicts"].push({ key, reason: outcome.reason, registryId: existing.id, ...where });
      return;
    }
    const name = await freeName(tx, ctx, url);
    try {
      // Its registry.created events go out with the runner's next delivery round, after the import commits.
      const { dto: registry } = await tx.transaction((sp) => insertRegistry(sp as unknown as Db, ctx, { data: { ...input, name }, warnings: mapped.warnings }, { source: "import" }));
      answer.created.push({ key, registry });
      return;
    } catch (err) {
      // Created meanwhile outside the import (the lock covers imports only): look again once.
      if (!isUniqueViolation(err)) throw err;
      if (attempt === 0) continue;
      const rule = violatedRegistryRule(err);
      answer.conflicts.push({ key, reason: rule === "name" ? `The name "${name}" was taken while importing: import again` : `Another registry took ${url} while importing: import again`, ...where });
      return;
    }
  }
}

type ExistingRegistry = { id: string; name: string; isActive: boolean; plainHttp: boolean; credentials: Record<string, unknown> };

/** The company's live registry with credentials at exactly this URL (`public` entries never hold one). */
async function registryAt(tx: Db, ctx: RequestContext, url: string): Promise<ExistingRegistry | undefined> {
  const [row] = await tx
    .select({ id: registries.id, name: registries.name, isActive: registries.isActive, plainHttp: registries.plainHttp, credentials: registries.credentials })
    .from(registries)
    .where(and(eq(registries.companyId, ctx.companyId), eq(registries.url, url), eq(registries.isDeleted, false), ne(registries.type, "public")))
    .limit(1);
  return row;
}

/**
 * Same URL: skipped when the registry is active, over the same transport and for the same user
 * (the non-secret identity; the secrets are never compared); otherwise a conflict saying why.
 */
function compareWithExisting(existing: ExistingRegistry, input: RegistryInput, plainHttp: boolean): { skipped: boolean; reason: string } {
  const name = `"${existing.name}"`;
  const theirs = typeof existing.credentials.username === "string" ? existing.credentials.username : "";
  const ours = input.credentials.username ?? "";
  if (theirs !== ours) {
    return { skipped: false, reason: `${name} already holds credentials for this URL as ${theirs ? `user ${theirs}` : "no named user"}: edit it, or use a path prefix to keep both` };
  }
  if (existing.plainHttp !== plainHttp) {
    return { skipped: false, reason: `${name} already holds credentials for this URL over ${existing.plainHttp ? "plain HTTP" : "HTTPS"}: edit it to change the transport` };
  }
  if (!existing.isActive) return { skipped: false, reason: `${name} already holds credentials for this URL but is deactivated: activate it instead` };
  return { skipped: true, reason: `Already stored as ${name} for the same user; edit it to change the password` };
}

/** The URL as a name, or the first free `NAME (n)` when another registry already has it (names are unique case-insensitively). */
async function freeName(tx: Db, ctx: RequestContext, url: string): Promise<string> {
  const base = url.length <= MAX_NAME - 6 ? url : `${url.slice(0, MAX_NAME - 7)}…`;
  const pattern = `${base.toLowerCase().replace(/[\\%_]/g, (c) => "\\" + c)}%`;
  const rows = await tx
    .select({ name: registries.name })
    .from(registries)
    .where(and(eq(registries.companyId, ctx.companyId), eq(registries.isDeleted, false), sql`lower(${registries.name}) like ${pattern}`));
  const taken = new Set(rows.map((r) => r.name.toLowerCase()));
  for (let n = 1; n <= MAX_NAME_SUFFIX; n++) {
    const candidate = n === 1 ? base : `${base} (${n})`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
  throw new AppError("conflict", `Every name from "${base}" to "${base} (${MAX_NAME_SUFFIX})" is taken: rename some registries and import again`);
}
