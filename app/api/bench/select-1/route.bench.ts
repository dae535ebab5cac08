import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { REFERENCE_PAGE } from "@/lib/bench/reference-page";
import { json, withErrors } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Benchmark build only: one `SELECT 1` through the app's pool, then the same constant body. */
export const GET = withErrors(async (_req, { requestId }) => {
  const db = await getDb();
  await db.execute(sql`select 1`);
  return json(REFERENCE_PAGE, { requestId });
});
