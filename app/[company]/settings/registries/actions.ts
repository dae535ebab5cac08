"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { runAction } from "@/lib/action-result";
import { AppError } from "@/lib/errors";
import { companyActionContext } from "@/lib/page-auth";
import { issuePullSecret } from "@/lib/registries/pull-secrets/issue";
import { describeUse, type RegistryUseDto } from "@/lib/registries/usage";
import { createRegistry, deleteRegistry, replaceRegistry, setRegistryActive } from "@/lib/registries/service";

/** Thin server actions over the registry service: each answers {ok, data} or {ok: false, error, fieldErrors}. */
const refresh = (slug: string) => revalidatePath(`/${slug}/settings/registries`);

export async function createRegistryAction(companySlug: string, body: unknown) {
  return runAction(async () => {
    const dto = await createRegistry(await companyActionContext(companySlug), body);
    refresh(companySlug);
    return dto;
  });
}

/** Also answers `stale: true` when `ifMatch` no longer names the current version (someone else saved first). */
export async function updateRegistryAction(companySlug: string, id: string, body: unknown, ifMatch?: string) {
  const seen = { stale: false };
  const result = await runAction(async () => {
    try {
      const dto = await replaceRegistry(await companyActionContext(companySlug), id, body, ifMatch);
      refresh(companySlug);
      return dto;
    } catch (err) {
      seen.stale = err instanceof AppError && err.code === "precondition_failed";
      throw err;
    }
  });
  return result.ok ? result : { ...result, stale: seen.stale };
}

export async function setRegistryActiveAction(companySlug: string, id: string, isActive: boolean) {
  return runAction(async () => {
    const dto = await setRegistryActive(await companyActionContext(companySlug), id, isActive);
    refresh(companySlug);
    return dto;
  });
}

/**
 * Also answers `inUse` (the last use, in words) when the registry was used in the last 30 days
 * and `force` was not set, so the dialog can ask again naming that use.
 */
export async function deleteRegistryAction(companySlug: string, id: string, force = false) {
  const seen: { inUse: string | null } = { inUse: null };
  const result = await runAction(async () => {
    try {
      await deleteRegistry(await companyActionContext(companySlug), id, { force });
    } catch (err) {
      if (err instanceof AppError && err.code === "registry_in_use") {
        const lastUse = err.extra.lastUse as RegistryUseDto | null | undefined;
        seen.inUse = lastUse ? describeUse(lastUse) : `last used ${String(err.extra.lastUsedAt)}`;
      }
      throw err;
    }
    refresh(companySlug);
  });
  return result.ok ? result : { ...result, inUse: seen.inUse };
}

/**
 * "Use this registry": the registry's credentials in one pull-secret format, for an owner or admin
 * who confirmed the reveal. The same service as the API's pull secret (permission, rate limit,
 * audit and usage included), with client `ui`; the text goes to this user's page only.
 */
export async function revealPullSecretAction(
  companySlug: string,
  registryId: string,
  format: "kubernetes" | "docker-login" | "dockerconfigjson",
  options: { namespace?: string; name?: string },
) {
  return runAction(async () => {
    const ctx = await companyActionContext(companySlug);
    const answer = await issuePullSecret(ctx, { registryIds: [registryId], format, ...options }, { client: "ui", userAgent: (await headers()).get("user-agent"), ip: ctx.ip });
    const text = typeof answer.content === "string" ? answer.content : JSON.stringify(answer.content, null, 2);
    return { text, expiresAt: answer.expiresAt };
  });
}
