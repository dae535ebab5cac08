"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { runAction, type ActionResult } from "@/lib/action-result";
import { acceptInvite, createCompany, registerWithInvite } from "@/lib/companies/service";
import { signIn } from "@/lib/auth/auth";
import { clientAddress } from "@/lib/client-address";
import { unauthenticated, type UserContext } from "@/lib/context";
import { env } from "@/lib/env";
import { currentUser } from "@/lib/page-auth";

async function actor() {
  const h = await headers();
  return { ip: clientAddress(h, env().BERTH_TRUSTED_PROXIES), requestId: h.get("x-request-id") ?? crypto.randomUUID() };
}

/** The signed-in caller of an action outside any company, or 401. */
async function userContext(): Promise<UserContext> {
  const user = await currentUser();
  if (!user) throw unauthenticated("Sign in again");
  return { userId: user.id, email: user.email, ...(await actor()) };
}

export async function createCompanyAction(_prev: ActionResult<undefined> | null, form: FormData): Promise<ActionResult<undefined> | null> {
  const result = await runAction(async () => {
    return createCompany(await userContext(), String(form.get("companyName") ?? ""));
  });
  if (!result.ok) return result;
  redirect(`/${result.data.slug}/settings/registries`);
}

export async function acceptInviteAction(_prev: ActionResult<undefined> | null, form: FormData): Promise<ActionResult<undefined> | null> {
  const result = await runAction(async () => {
    return acceptInvite(await userContext(), String(form.get("token") ?? ""));
  });
  if (!result.ok) return result;
  redirect(`/${result.data.companySlug}/settings/registries`);
}

export async function registerWithInviteAction(_prev: ActionResult<undefined> | null, form: FormData): Promise<ActionResult<undefined> | null> {
  const password = String(form.get("password") ?? "");
  const result = await runAction(async () => {
    return registerWithInvite(await actor(), String(form.get("token") ?? ""), { name: String(form.get("name") ?? ""), password });
  });
  if (!result.ok) return result;
  await signIn("credentials", { email: result.data.email, password, redirectTo: `/${result.data.companySlug}/settings/registries` });
  return null;
}
