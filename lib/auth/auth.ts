import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { serverSecrets } from "@/lib/crypto";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { getDb } from "@/db";
import { findUserByEmail } from "./users";
import { checkCredentials } from "./sign-in";

class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}
/** The password was right; the account has two-factor and no code was sent. */
class CodeRequired extends CredentialsSignin {
  code = "code_required";
}
class InvalidCode extends CredentialsSignin {
  code = "invalid_code";
}

function oidcProviders(): NextAuthConfig["providers"] {
  const e = env();
  if (!e.AUTH_OIDC_ISSUER || !e.AUTH_OIDC_ID || !e.AUTH_OIDC_SECRET) return [];
  return [{ id: "oidc", name: "Single sign-on", type: "oidc", issuer: e.AUTH_OIDC_ISSUER, clientId: e.AUTH_OIDC_ID, clientSecret: e.AUTH_OIDC_SECRET }];
}

/**
 * Auth.js: email + password (provider id `credentials`, fields `email`, `password` and, for an
 * account with two-factor, `code`: a TOTP or recovery code; the session is issued only once both
 * factors passed), and an
 * optional OIDC provider for users who already exist (matched by email). JWT sessions in
 * httpOnly SameSite=Lax cookies, Secure whenever the site is served over https.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  trustHost: true,
  secret: serverSecrets().authSecret,
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  pages: { signIn: "/login", error: "/login" },
  // A refused sign-in (wrong password, the code step, a wrong code) is expected and audited, not
  // an error of the server; anything else goes to the structured log.
  logger: {
    error(error: Error) {
      if (error instanceof CredentialsSignin) return;
      log.error({ err: error }, "Auth.js error");
    },
  },
  providers: [
    Credentials({
      id: "credentials",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
        code: { label: "Authentication code", type: "text" },
      },
      async authorize(credentials, request) {
        const requestId = request.headers.get("x-request-id") ?? undefined;
        const result = await checkCredentials(credentials?.email, credentials?.password, request.headers, requestId, credentials?.code);
        if (!result.ok) {
          if (result.reason === "throttled") throw new ThrottledSignIn();
          if (result.reason === "code_required") throw new CodeRequired();
          if (result.reason === "invalid_code") throw new InvalidCode();
          return null;
        }
        return { id: result.user.id, email: result.user.email, name: result.user.name, sessionVersion: result.user.sessionVersion } as never;
      },
    }),
    ...oidcProviders(),
  ],
  callbacks: {
    async signIn({ account, profile }) {
      if (account?.provider !== "oidc") return true;
      const email = typeof profile?.email === "string" ? profile.email : "";
      return !!email && profile?.email_verified !== false && !!(await findUserByEmail(await getDb(), email));
    },
    async jwt({ token, user, account, profile }) {
      if (account?.provider === "oidc" && typeof profile?.email === "string") {
        const found = await findUserByEmail(await getDb(), profile.email);
        if (found) Object.assign(token, { uid: found.id, sv: found.sessionVersion });
      } else if (user) {
        const u = user as { id: string; sessionVersion?: number };
        Object.assign(token, { uid: u.id, sv: u.sessionVersion ?? 0 });
      }
      return token;
    },
    async session({ session, token }) {
      if (session.user && typeof token.uid === "string") session.user.id = token.uid;
      return session;
    },
  },
}));
