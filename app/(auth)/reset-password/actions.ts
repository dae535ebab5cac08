"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { resetPasswordWithLink } from "@/lib/account/password-resets";
import { runAction, type ActionResult } from "@/lib/action-result";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";

export async function resetPasswordAction(_prev: ActionResult<undefined> | null, form: FormData): Promise<ActionResult<undefined> | null> {
  const h = await headers();
  const actor = { ip: clientAddress(h, env().BERTH_TRUSTED_PROXIES), requestId: h.get("x-request-id") ?? crypto.randomUUID() };
  const result = await runAction(() => resetPasswordWithLink(actor, String(form.get("token") ?? ""), String(form.get("password") ?? "")));
  if (!result.ok) return result;
  redirect("/login?reset=done");
}
