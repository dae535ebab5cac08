"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { accountActionContext as userContext } from "@/lib/page-auth";
import { beginTotpEnrolment, confirmTotpEnrolment, disableTwoFactor } from "@/lib/two-factor/service";

// Two-factor settings are the user's own, outside any company (and its policy).

export async function beginTwoFactorAction() {
  return runAction(async () => beginTotpEnrolment(await userContext()));
}

export async function confirmTwoFactorAction(code: string) {
  return runAction(async () => {
    const result = await confirmTotpEnrolment(await userContext(), code);
    revalidatePath("/account");
    return result;
  });
}

export async function disableTwoFactorAction(input: { password: string; code: string }) {
  return runAction(async () => {
    await disableTwoFactor(await userContext(), input);
    revalidatePath("/account");
  });
}
