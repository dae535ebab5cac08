import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { registries } from "@/db/schema";
import { requirePermission, type RequestContext } from "@/lib/context";
import { ecrAnyAccountRegion } from "./types/ecr-hosts";
import { canonicalRegistryHost } from "./image-match";
import { parseRegistryHost, registryHostKey } from "./connection/target";
import { registryScope } from "./registry-rows";

/** A registry as pickers and the Integrations page need it: never a credential. */
export interface RegistryChoice {
  id: string;
  name: string;
  url: string;
  type: string;
  isActive: boolean;
  /** `host[:port]`, Docker Hub as `docker.io`; null while the host is not known (ECR "any account"). */
  host: string | null;
  /** The path prefix, "" for none. */
  prefix: string;
  /** The region of an ECR registry whose account is not known yet. */
  ecrRegion: string | null;
}

/** The most registries a picker lists (a company has far fewer). */
const MAX_CHOICES = 1000;

/** The caller's registries that are not deleted, by name, with their host and path prefix. */
export async function listRegistryChoices(ctx: RequestContext): Promise<RegistryChoice[]> {
  requirePermission(ctx, "registries:list");
  const db = await getDb();
  const rows = await db
    .select({ id: registries.id, name: registries.name, url: registries.url, type: registries.type, isActive: registries.isActive, plainHttp: registries.plainHttp })
    .from(registries)
    .where(and(eq(registries.companyId, ctx.companyId), eq(registries.isDeleted, false), registryScope(ctx)))
    .orderBy(asc(registries.name))
    .limit(MAX_CHOICES);
  return rows.map((r) => {
    const ecrRegion = ecrAnyAccountRegion(r.url);
    const target = ecrRegion ? null : parseRegistryHost(r.url, r.plainHttp);
    const located = target?.ok ? { host: canonicalRegistryHost(registryHostKey(target.value)), prefix: target.value.pathPrefix } : { host: null, prefix: "" };
    return { id: r.id, name: r.name, url: r.url, type: r.type, isActive: r.isActive, ...located, ecrRegion };
  });
}
