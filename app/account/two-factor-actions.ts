"use server";

import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { clientAddress } from "@/lib/client-address";
import { unauthenticated, type UserContext } from "@/lib/context";
import { env } from "@/lib/env";
import { currentUser } from "@/lib/page-auth";
import { beginTotpEnrolment, confirmTotpEnrolment, disableTwoFactor } from "@/lib/two-factor/service";

/** The signed-in caller; two-factor settings are the user's own, outside any company (and its policy). */
async function userContext(): Promise<UserContext> {
  const user = await currentUser();
  if (!user) throw unauthenticated("Sign in again");
  const h = await headers();
  return { userId: user.id, email: user.email, ip: clientAddress(h, env().BERTH_TRUSTED_PROXIES), requestId: h.get("x-request-id") ?? crypto.randomUUID() };
}

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
