"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { companyActionContext } from "@/lib/page-auth";
import { revokeTokensOfMembersWithoutTwoFactor, setTwoFactorPolicy } from "@/lib/two-factor/policy";

export async function setTwoFactorPolicyAction(companySlug: string, required: boolean) {
  return runAction(async () => {
    await setTwoFactorPolicy(await companyActionContext(companySlug), required === true);
    revalidatePath(`/${companySlug}/settings/security`);
  });
}

export async function revokeTokensWithoutTwoFactorAction(companySlug: string) {
  return runAction(async () => {
    const result = await revokeTokensOfMembersWithoutTwoFactor(await companyActionContext(companySlug));
    revalidatePath(`/${companySlug}/settings/security`);
    return result;
  });
}
