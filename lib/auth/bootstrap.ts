import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { appSettings } from "@/db/schema";
import { insertCompanyWithOwner } from "@/lib/companies/insert";
import { env } from "@/lib/env";
import { AppError, validationError, zodErrors } from "@/lib/errors";
import { log } from "@/lib/log";
import { countUsers, insertUser } from "./users";
import { setupSchema } from "./schemas";

const SETUP_KEY = "setup_code_sha256";
const SETUP_LOCK = 4_242_002;

const sha256 = (v: string) => createHash("sha256").update(v).digest();

/**
 * First run. With BERTH_ADMIN_* set, creates the first owner and company; otherwise, while no
 * user exists, stores a fresh one-time setup code (its hash) and logs the link.
 */
export async function runFirstRunBootstrap(): Promise<void> {
  const db = await getDb();
  if ((await countUsers(db)) > 0) return;
  const e = env();
  if (e.BERTH_ADMIN_EMAIL && e.BERTH_ADMIN_PASSWORD && e.BERTH_COMPANY_NAME) {
    const created = await createFirstOwner({ email: e.BERTH_ADMIN_EMAIL, password: e.BERTH_ADMIN_PASSWORD, companyName: e.BERTH_COMPANY_NAME }, { requestId: "bootstrap" });
    if (created) log.info({ email: e.BERTH_ADMIN_EMAIL, company: created.slug }, "created the first owner and company from BERTH_ADMIN_*");
    return;
  }
  const code = randomBytes(18).toString("base64url");
  await db
    .insert(appSettings)
    .values({ key: SETUP_KEY, value: sha256(code).toString("hex") })
    .onConflictDoUpdate({ target: appSettings.key, set: { value: sha256(code).toString("hex"), updatedAt: new Date() } });
  const link = `http://localhost:${e.PORT}/setup?code=${code}`;
  log.warn({ setupPath: "/setup" }, `No user exists yet. Open this one-time link to create the first owner: ${link}`);
}

export async function checkSetupCode(code: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db.select().from(appSettings).where(eq(appSettings.key, SETUP_KEY));
  if (!row || !code) return false;
  const want = Buffer.from(row.value, "hex");
  return timingSafeEqual(want, sha256(code));
}

/**
 * Creates the first owner and company, once: a transaction-scoped advisory lock and a re-count
 * make two concurrent setups end with one user. Returns null when a user already exists.
 */
async function createFirstOwner(input: unknown, actor: { requestId: string; ip?: string | null }) {
  const parsed = setupSchema.safeParse(input);
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const db = await getDb();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK})`);
    if ((await countUsers(tx as unknown as Db)) > 0) return null;
    const user = await insertUser(tx as unknown as Db, { email: parsed.data.email, password: parsed.data.password });
    const company = await insertCompanyWithOwner(tx as unknown as Db, user.id, parsed.data.companyName, actor);
    await tx.delete(appSettings).where(eq(appSettings.key, SETUP_KEY));
    return { user, slug: company.slug };
  });
}

/** /setup: the code must match; afterwards the setup is gone for good. */
export async function completeSetup(code: string, input: unknown, actor: { requestId: string; ip?: string | null }) {
  if (!(await checkSetupCode(code))) throw new AppError("forbidden", "The setup code is wrong or has been used. Restart the server to print a new one.");
  const created = await createFirstOwner(input, actor);
  if (!created) throw new AppError("conflict", "Berth is already set up; sign in instead");
  return created;
}
