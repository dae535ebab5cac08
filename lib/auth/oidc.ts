import "server-only";
import { getDb } from "@/db";
import { findUserByEmail } from "./users";

/**
 * The email an OIDC profile vouches for: it must carry one and the provider must have verified
 * it (`email_verified` exactly `true`). A missing, `false` or string claim is refused: otherwise
 * anyone able to set an unverified email at the provider could sign in as the Berth user with
 * that email.
 */
export function oidcEmail(profile: Record<string, unknown> | null | undefined): string | null {
  const email = typeof profile?.email === "string" ? profile.email.trim() : "";
  return email && profile?.email_verified === true ? email : null;
}

/** The existing Berth user an OIDC profile signs in as, or null (sign-in refused). OIDC creates no users. */
export async function oidcUser(profile: Record<string, unknown> | null | undefined): Promise<{ id: string; email: string } | null> {
  const email = oidcEmail(profile);
  if (!email) return null;
  const user = await findUserByEmail(await getDb(), email);
  return user ? { id: user.id, email: user.email } : null;
}
