"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { runAction, type ActionResult } from "@/lib/action-result";
import { acceptInvite, createCompany, registerWithInvite } from "@/lib/companies/service";
import { signIn } from "@/lib/auth/auth";
import { clientAddress } from "@/lib/client-address";
import { unauthenticated } from "@/lib/context";
import { env } from "@/lib/env";
import { currentUser } from "@/lib/page-auth";

async function actor() {
  const h = await headers();
  return { ip: clientAddress(h, env().BERTH_TRUSTED_PROXIES), requestId: h.get("x-request-id") };
}

export async function createCompanyAction(_prev: ActionResult<undefined> | null, form: FormData): Promise<ActionResult<undefined> | null> {
  const result = await runAction(async () => {
    const user = await currentUser();
    if (!user) throw unauthenticated("Sign in again");
    return createCompany(await getDb(), user.id, String(form.get("companyName") ?? ""), await actor());
  });
  if (!result.ok) return result;
  redirect(`/${result.data.slug}/settings/registries`);
}

export async function acceptInviteAction(_prev: ActionResult<undefined> | null, form: FormData): Promise<ActionResult<undefined> | null> {
  const result = await runAction(async () => {
    const user = await currentUser();
    if (!user) throw unauthenticated("Sign in again");
    return acceptInvite(String(form.get("token") ?? ""), user, await actor());
  });
  if (!result.ok) return result;
  redirect(`/${result.data.companySlug}/settings/registries`);
}

export async function registerWithInviteAction(_prev: ActionResult<undefined> | null, form: FormData): Promise<ActionResult<undefined> | null> {
  const password = String(form.get("password") ?? "");
  const result = await runAction(async () => {
    return registerWithInvite(String(form.get("token") ?? ""), { name: String(form.get("name") ?? ""), password }, await actor());
  });
  if (!result.ok) return result;
  await signIn("credentials", { email: result.data.email, password, redirectTo: `/${result.data.companySlug}/settings/registries` });
  return null;
}
