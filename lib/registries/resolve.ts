/**
 * `POST …/registries/resolve` `{image}`: the active registry an image reference belongs to
 * (`registriesForImage`: same host, longest path prefix, credentials over `public`), recorded as
 * a use of that registry. A public image needs no registry, so "none" is a 404 saying so.
 */
import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { registries } from "@/db/schema";
import { requirePermission, type RequestContext } from "@/lib/context";
import { AppError, validationError, zodErrors } from "@/lib/errors";
import type { RegistryDto } from "./dto";
import { parseImageName } from "./connection/image-name";
import { registriesForImage, type MatchCandidate } from "./image-match";
import { resolveRequestSchema } from "./pull-secrets/request";
import { registryScope } from "./registry-rows";
import { getRegistry } from "./service";
import { maybePruneRegistryUses, recordRegistryUses, type UseClient } from "./usage";

export interface Candidate extends MatchCandidate {
  name: string;
  isActive: boolean;
}

/**
 * The caller's company's registries that are not deleted (active or not), without their secrets;
 * for a token limited to some registries, only those.
 */
export async function loadCandidates(db: Db, ctx: Pick<RequestContext, "companyId" | "registryIds">): Promise<Candidate[]> {
  return db
    .select({ id: registries.id, type: registries.type, url: registries.url, plainHttp: registries.plainHttp, createdAt: registries.createdAt, name: registries.name, isActive: registries.isActive })
    .from(registries)
    .where(and(eq(registries.companyId, ctx.companyId), eq(registries.isDeleted, false), registryScope(ctx)));
}

/** The message of an image no registry matches. */
export function noRegistryFor(images: readonly string[]): string {
  const list = images.join(", ");
  return `No active registry matches ${list}. A public image needs no credentials; for a private one, add a registry for its host (and path prefix).`;
}

export interface UseMeta {
  client: UseClient;
  userAgent?: string | null;
  ip?: string | null;
}

export async function resolveImage(ctx: RequestContext, body: unknown, meta: UseMeta): Promise<{ registry: RegistryDto }> {
  requirePermission(ctx, "registries:list");
  const parsed = resolveRequestSchema.safeParse(body);
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const image = parseImageName(parsed.data.image);
  if (!image.ok) throw validationError([{ path: "image", message: image.message }]);
  const db = await getDb();
  const active = (await loadCandidates(db, ctx)).filter((c) => c.isActive);
  const [best] = registriesForImage(image.value, active);
  if (!best) throw new AppError("not_found", noRegistryFor([parsed.data.image.trim()]), { extra: { image: image.value.name } });
  await db.transaction(async (tx) => recordRegistryUses(tx as unknown as Db, ctx, "resolve", meta.client, [{ registryId: best.id, subject: parsed.data.image.trim() }]));
  await maybePruneRegistryUses(db);
  return { registry: await getRegistry(ctx, best.id) };
}
