"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { createApiToken } from "@/lib/api-tokens/service";
import { companyActionContext } from "@/lib/page-auth";

/**
 * A `registries:pull` token for a credential helper, a kubelet or a CI runner: the same service
 * as Settings › API tokens (session only, audited, shown once). The scope is fixed here; name,
 * expiry and the optional registry limit come from the form.
 */
export async function createPullTokenAction(companySlug: string, input: { name?: unknown; expiresAt?: unknown; registryIds?: unknown }) {
  return runAction(async () => {
    const created = await createApiToken(await companyActionContext(companySlug), {
      name: input.name,
      scopes: ["registries:pull"],
      expiresAt: input.expiresAt ?? null,
      ...(input.registryIds !== undefined ? { registryIds: input.registryIds } : {}),
    });
    revalidatePath(`/${companySlug}/settings/tokens`);
    return { token: created.token, apiToken: created.apiToken };
  });
}
