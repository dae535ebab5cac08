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
 * user exists, stores a fresh one-time setup code (its hash) and logs the link. Safe when several
 * instances start at once on an empty database: one owner is created, and each printed link works.
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
  await storeSetupCode(db, code);
  const link = `http://localhost:${e.PORT}/setup?code=${code}`;
  log.warn({ setupPath: "/setup" }, `No user exists yet. Open this one-time link to create the first owner: ${link}`);
}

/**
 * How long a stored setup code survives a later start. Instances that start together on an empty
 * database each print a link, and every one of those links works; a start after this long (a
 * restart) replaces the codes stored before it.
 */
export const SETUP_CODE_SIBLING_MS = 120_000;

interface StoredCode {
  /** sha256 of the code, hex. */
  h: string;
  /** When it was stored (ms since the epoch). */
  at: number;
}

/** The stored codes; a value of the older single-hash form reads as one code stored long ago. */
function parseStoredCodes(value: string | undefined): StoredCode[] {
  if (!value) return [];
  if (/^[0-9a-f]{64}$/.test(value)) return [{ h: value, at: 0 }];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? parsed.filter((c): c is StoredCode => typeof c?.h === "string" && typeof c?.at === "number") : [];
  } catch {
    return [];
  }
}

/** Adds this start's code (its hash) under a lock, dropping codes from earlier starts. */
async function storeSetupCode(db: Db, code: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK})`);
    const [row] = await tx.select().from(appSettings).where(eq(appSettings.key, SETUP_KEY));
    const now = Date.now();
    const kept = parseStoredCodes(row?.value).filter((c) => now - c.at < SETUP_CODE_SIBLING_MS);
    const value = JSON.stringify([...kept, { h: sha256(code).toString("hex"), at: now }]);
    await tx
      .insert(appSettings)
      .values({ key: SETUP_KEY, value })
      .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedAt: new Date() } });
  });
}

export async function checkSetupCode(code: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db.select().from(appSettings).where(eq(appSettings.key, SETUP_KEY));
  if (!row || !code) return false;
  const given = sha256(code);
  let match = false;
  for (const stored of parseStoredCodes(row.value)) {
    const want = Buffer.from(stored.h, "hex");
    if (want.length === given.length && timingSafeEqual(want, given)) match = true;
  }
  return match;
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
