import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { getDb, type Db } from "@/db";
import { memberships, type Role } from "@/db/schema";
import { insertCompanyWithOwner } from "@/lib/companies/insert";
import { insertUser } from "@/lib/auth/users";
import { createSession } from "@/lib/auth/sessions";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";

export const TEST_ORIGIN = "http://localhost:3000";

/** An Auth.js session cookie naming a session id, signed with the test AUTH_SECRET (as the server would). */
export async function cookieFor(userId: string, sessionId: string): Promise<string> {
  const value = await encode({ token: { uid: userId, sid: sessionId }, secret: process.env.AUTH_SECRET!, salt: "authjs.session-token" });
  return `authjs.session-token=${value}`;
}

/** Signs a user in as the server would: a new row in the sessions table and its cookie. */
export async function signedInSession(userId: string, opts: { db?: Db; ip?: string; userAgent?: string } = {}): Promise<{ cookie: string; sessionId: string }> {
  const db = opts.db ?? (await getDb());
  const sessionId = await createSession(db, { userId, ip: opts.ip ?? "127.0.0.1", userAgent: opts.userAgent ?? "vitest" });
  return { cookie: await cookieFor(userId, sessionId), sessionId };
}

/** The cookie of a new session of the user (see signedInSession). */
export async function sessionCookie(userId: string, db?: Db): Promise<string> {
  return (await signedInSession(userId, { db })).cookie;
}

let seq = 0;
/** A user who owns a new company, plus helpers to add members with roles. */
export async function seedCompany(db: Db, name = `co${Date.now().toString(36)}${seq++}`) {
  const owner = await insertUser(db, { email: `owner-${name}@example.test`, password: "owner-password-1" });
  const company = await insertCompanyWithOwner(db, owner.id, name, { requestId: "test" });
  async function addMember(role: Role, manageRegistries = false, label: string = role) {
    const user = await insertUser(db, { email: `${label}-${manageRegistries ? "m-" : ""}${name}@example.test`, password: "member-password-1" });
    await db.insert(memberships).values({ companyId: company.id, userId: user.id, role, manageRegistries });
    return user;
  }
  return { owner, company, addMember };
}

/** A request to a route handler, authenticated by a session cookie (with this site's Origin) or a bearer token. */
export function apiRequest(
  method: string,
  path: string,
  auth: { cookie?: string; token?: string; origin?: string | null; peer?: string },
  body?: unknown,
  headers: Record<string, string> = {},
): NextRequest {
  const h: Record<string, string> = { host: "localhost:3000", [PEER_HEADER]: stampedPeer(auth.peer ?? "127.0.0.1"), ...headers };
  if (auth.cookie) h.cookie = auth.cookie;
  if (auth.token) h.authorization = `Bearer ${auth.token}`;
  if (auth.origin !== null && auth.cookie && method !== "GET") h.origin = auth.origin ?? TEST_ORIGIN;
  if (body !== undefined) h["content-type"] ??= "application/json";
  return new NextRequest(new URL(path, TEST_ORIGIN), { method, headers: h, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
}

/** Calls a route handler export with its params, as Next would. */
export function call<P>(handler: (req: NextRequest, seg: { params: Promise<P> }) => Promise<Response>, req: NextRequest, params: P) {
  return handler(req, { params: Promise.resolve(params) });
}
