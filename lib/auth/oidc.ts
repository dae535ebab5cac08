import "server-only";

/**
 * Whether an OIDC profile may sign in as an existing user: it must carry an email and the
 * provider must vouch for it (`email_verified` exactly `true`). A missing, `false` or string
 * claim is refused: otherwise anyone able to set an unverified email at the provider could sign
 * in as the Berth user with that email.
 */
export function oidcEmail(profile: Record<string, unknown> | null | undefined): string | null {
  const email = typeof profile?.email === "string" ? profile.email.trim() : "";
  return email && profile?.email_verified === true ? email : null;
}
