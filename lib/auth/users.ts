import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { isUniqueViolation } from "@/lib/db-errors";
import { AppError } from "@/lib/errors";
import { hashPassword } from "./passwords";
import { parseNewPassword } from "./password-policy";
import { emailField } from "./schemas";
import { endOtherSessions } from "./sessions";

/*
 * The users table, below every service. These take a database handle (or the caller's
 * transaction) rather than a request context: they run where no context exists yet (signing in,
 * the first run, accepting an invite, the CLI) and check no permission themselves.
 */

export async function findUserByEmail(db: Db, email: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`)
    .limit(1);
  return user ?? null;
}

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return Number(row?.n ?? 0);
}

export async function insertUser(db: Db, input: { email: string; password: string; name?: string }) {
  const email = emailField.parse(input.email);
  const passwordHash = await hashPassword(parseNewPassword(input.password, email));
  try {
    const [user] = await db
      .insert(users)
      .values({ email, name: input.name?.trim() ?? "", passwordHash })
      .returning({ id: users.id, email: users.email, name: users.name });
    return user!;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", "A user with this email already exists");
    throw err;
  }
}

/**
 * Sets a new password (checked against the rules for new passwords) and ends every session of the
 * user except `keepSessionId` (the one making the change, if any). Returns how many sessions ended.
 */
export async function setPassword(db: Db, userId: string, password: string, keepSessionId: string | null = null): Promise<{ sessionsEnded: number }> {
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new AppError("not_found", "User not found");
  const passwordHash = await hashPassword(parseNewPassword(password, user.email));
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId));
    return { sessionsEnded: await endOtherSessions(tx as unknown as Db, userId, keepSessionId) };
  });
}
