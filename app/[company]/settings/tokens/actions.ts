"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { createApiToken, revokeApiToken } from "@/lib/api-tokens/service";
import { companyActionContext } from "@/lib/page-auth";

export async function createTokenAction(companySlug: string, input: unknown) {
  return runAction(async () => {
    const created = await createApiToken(await companyActionContext(companySlug), input);
    revalidatePath(`/${companySlug}/settings/tokens`);
    return created;
  });
}

export async function revokeTokenAction(companySlug: string, tokenId: string) {
  return runAction(async () => {
    await revokeApiToken(await companyActionContext(companySlug), tokenId);
    revalidatePath(`/${companySlug}/settings/tokens`);
  });
}
