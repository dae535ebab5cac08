import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { notFound, redirect } from "next/navigation";
import { getDb } from "@/db";
import { sessionUserFromHeaders, type SessionUser } from "@/lib/auth/session";
import { noteRequestCompany } from "@/lib/server/request-hooks";
import { resolveContext, unauthenticated, type RequestContext } from "@/lib/context";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";
import type { AccountContext } from "@/lib/account/service";
import { AppError } from "@/lib/errors";
import { countUsers } from "@/lib/auth/users";
import { safeNext } from "@/lib/safe-next";

/** The signed-in user of a page request, or null; loaded once per request (React `cache`). */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  return sessionUserFromHeaders(await headers());
});

/** While no user exists every page leads to /setup; otherwise a signed-out visitor goes to /login. */
export async function redirectToSignIn(next?: string): Promise<never> {
  if ((await countUsers(await getDb())) === 0) redirect("/setup");
  const target = safeNext(next);
  redirect(target !== "/" ? `/login?next=${encodeURIComponent(target)}` : "/login");
}

export async function requireUser(next?: string): Promise<SessionUser> {
  return (await currentUser()) ?? redirectToSignIn(next);
}

/**
 * The request context of a company page: signed out → /login, not a member → 404 page. Loaded
 * once per request (React `cache`): the settings layout and its page share the session and
 * membership lookup.
 */
export const companyPageContext = cache(async (companySlug: string): Promise<RequestContext> => {
  const h = await headers();
  try {
    const ctx = await resolveContext(h, companySlug, h.get("x-request-id") ?? crypto.randomUUID());
    noteRequestCompany(ctx.companyId); // for the request's log line
    return ctx;
  } catch (err) {
    if (err instanceof AppError && err.code === "unauthenticated") return redirectToSignIn(`/${companySlug}/settings/registries`);
    if (err instanceof AppError && err.code === "not_found") notFound();
    // The company requires two-factor and the caller has none: a page that says so and links to /account.
    if (err instanceof AppError && err.code === "two_factor_required") redirect(`/${encodeURIComponent(companySlug.toLowerCase())}/two-factor-required`);
    throw err;
  }
});

/** Same for server actions, which report errors as values instead of redirecting. */
export async function companyActionContext(companySlug: string): Promise<RequestContext> {
  const h = await headers();
  return resolveContext(h, companySlug, h.get("x-request-id") ?? crypto.randomUUID());
}

/** The signed-in caller of an account action (their own password and sessions), or 401. */
export async function accountActionContext(): Promise<AccountContext> {
  const user = await currentUser();
  if (!user) throw unauthenticated("Sign in again");
  const h = await headers();
  return { userId: user.id, email: user.email, sessionId: user.sessionId, ip: clientAddress(h, env().BERTH_TRUSTED_PROXIES), requestId: h.get("x-request-id") ?? crypto.randomUUID() };
}
