"use server";

import { revalidatePath } from "next/cache";
import { signOut } from "@/lib/auth/auth";
import { changePassword, signOutEverywhere, signOutSession } from "@/lib/account/service";
import { runAction, type ActionResult } from "@/lib/action-result";
import { accountActionContext } from "@/lib/page-auth";

export type ChangePasswordState = ActionResult<{ sessionsEnded: number }> | null;

export async function changePasswordAction(_prev: ChangePasswordState, form: FormData): Promise<ChangePasswordState> {
  const result = await runAction(async () =>
    changePassword(await accountActionContext(), { currentPassword: form.get("currentPassword") ?? "", newPassword: form.get("newPassword") ?? "" }),
  );
  if (result.ok) revalidatePath("/account");
  return result;
}

/** Ends one of the caller's sessions; ending the current one signs this browser out. */
export async function signOutSessionAction(sessionId: string): Promise<ActionResult<void>> {
  let current = false;
  const result = await runAction(async () => {
    const ctx = await accountActionContext();
    current = ctx.sessionId === sessionId;
    await signOutSession(ctx, sessionId);
  });
  if (result.ok && current) await signOut({ redirectTo: "/login" });
  if (result.ok) revalidatePath("/account");
  return result;
}

/** Ends every session of the caller, this one too, and leads to the sign-in page. */
export async function signOutEverywhereAction(): Promise<ActionResult<void>> {
  const result = await runAction(async () => {
    await signOutEverywhere(await accountActionContext());
  });
  if (!result.ok) return result;
  await signOut({ redirectTo: "/login" });
  return { ok: true, data: undefined };
}
