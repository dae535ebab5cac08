import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * The job queue shared by every instance (lib/jobs). A row is one job; `key` makes it a
 * singleton (a registry's next check, a periodic task). An instance claims due rows with
 * `FOR UPDATE SKIP LOCKED`, stamping `claim` (a fresh id per claim) and a lease; a row whose
 * lease has run out belongs to a dead instance and is claimed again. Recurring jobs are moved
 * to their next run instead of being deleted.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text("kind").notNull(),
    key: text("key").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
    /** Attempts since the last success (reset when a recurring job moves to its next run). */
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    claim: text("claim"),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("jobs_key_idx").on(t.key), index("jobs_due_idx").on(t.kind, t.runAt)],
);
