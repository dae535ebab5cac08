import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { headers as requestHeaders } from "next/headers";
import { serverSecrets } from "@/lib/crypto";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { safeNext } from "@/lib/safe-next";
import { getDb } from "@/db";
import { checkCredentials } from "./sign-in";
import { oidcUser } from "./oidc";
import { createSession, endSession, SESSION_MAX_AGE_SECONDS } from "./sessions";
import { recordUserAudit } from "./user-audit";

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

/** The address and browser of the sign-in request, for the session list. */
async function signInRequestMeta(): Promise<{ ip: string | null; userAgent: string | null; requestId: string | null }> {
  try {
    const h = await requestHeaders();
    return { ip: clientAddress(h, env().BERTH_TRUSTED_PROXIES), userAgent: h.get("user-agent"), requestId: h.get("x-request-id") };
  } catch {
    return { ip: null, userAgent: null, requestId: null };
  }
}

/**
 * Auth.js: email + password (provider id `credentials`, fields `email`, `password` and, for an
 * account with two-factor, `code`: a TOTP or recovery code; the session is issued only once both
 * factors passed), and an optional OIDC provider for users who already exist (matched by a
 * verified email). JWT sessions in httpOnly SameSite=Lax cookies, Secure whenever the site is
 * served over https; each JWT names its row in the sessions table (`sid`), checked on every
 * request and ended on sign-out.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  trustHost: true,
  secret: serverSecrets().authSecret,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
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
        return { id: result.user.id, email: result.user.email, name: result.user.name };
      },
    }),
    ...oidcProviders(),
  ],
  callbacks: {
    async signIn({ account, profile }) {
      if (account?.provider !== "oidc") return true;
      return !!(await oidcUser(profile as Record<string, unknown> | undefined));
    },
    async jwt({ token, user, account, profile }) {
      // Only at sign-in (user or account present): start a server-side session.
      let uid: string | null = null;
      if (account?.provider === "oidc") {
        uid = (await oidcUser(profile as Record<string, unknown> | undefined))?.id ?? null;
      } else if (user?.id) {
        uid = user.id;
      }
      if (uid) {
        const db = await getDb();
        const meta = await signInRequestMeta();
        const sid = await createSession(db, { userId: uid, ip: meta.ip, userAgent: meta.userAgent });
        Object.assign(token, { uid, sid });
      }
      return token;
    },
    async session({ session, token }) {
      if (session.user && typeof token.uid === "string") session.user.id = token.uid;
      return session;
    },
    /** Every redirect Auth.js makes (its callback URL included) goes through the one path check. */
    redirect({ url, baseUrl }) {
      if (url.startsWith("/")) return baseUrl + safeNext(url);
      try {
        const u = new URL(url);
        if (u.origin === new URL(baseUrl).origin) return baseUrl + safeNext(u.pathname + u.search + u.hash);
      } catch {
        // not a URL: fall through
      }
      return baseUrl + "/";
    },
  },
  events: {
    /** Signing out ends the session on the server too, so a copied cookie stops working. */
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      const uid = typeof token?.uid === "string" ? token.uid : null;
      const sid = typeof token?.sid === "string" ? token.sid : null;
      if (!uid || !sid) return;
      try {
        const db = await getDb();
        if (await endSession(db, uid, sid)) {
          const meta = await signInRequestMeta();
          await recordUserAudit(db, { userId: uid, ip: meta.ip, requestId: meta.requestId }, uid, "auth.signed_out", { sessionId: sid });
        }
      } catch (err) {
        log.error({ err }, "could not end the session on sign-out");
      }
    },
  },
}));
