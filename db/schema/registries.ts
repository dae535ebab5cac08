import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { companies, users } from "./identity";

export const registries = pgTable(
  "registries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    name: text("name").notNull(),
    /** Normalised: host[:port][/path-prefix], no scheme, no trailing slash. */
    url: text("url").notNull(),
    plainHttp: boolean("plain_http").notNull().default(false),
    /** The type's non-secret fields (username, region, loginServer, …). */
    credentials: jsonb("credentials").$type<Record<string, unknown>>().notNull().default({}),
    /** Names of the secret fields that hold a value; the values are only in secretBlob. */
    secretFields: text("secret_fields").array().notNull().default(sql`'{}'::text[]`),
    /** AES-256-GCM blob (lib/crypto), bound to company and registry id. Wiped on delete. */
    secretBlob: text("secret_blob"),
    keyId: text("key_id"),
    isActive: boolean("is_active").notNull().default(true),
    isDeleted: boolean("is_deleted").notNull().default(false),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    modifiedBy: uuid("modified_by").references(() => users.id, { onDelete: "set null" }),
    /** Bumped on every change; the ETag. */
    version: integer("version").notNull().default(1),
    lastTestStatus: text("last_test_status"),
    lastTestAt: timestamp("last_test_at", { withTimezone: true }),
    lastTestMessage: text("last_test_message"),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** False: the registry is left out of the scheduled health checks (manual tests still run). */
    scheduledChecks: boolean("scheduled_checks").notNull().default(true),
    /**
     * Health from the checks, kept with each check so the list can filter without reading the
     * history: `healthy` or `failing` (null before the first check settles it), since when,
     * how many checks in a row failed and since when, and the time of the last check.
     */
    healthStatus: text("health_status").$type<"healthy" | "failing">(),
    healthSince: timestamp("health_since", { withTimezone: true }),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    failuresSince: timestamp("failures_since", { withTimezone: true }),
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }),
    /** Who set `expiresAt`: `user` (the form or the API) or `detected` (read from the provider's API); null when unset. */
    expiresAtSource: text("expires_at_source"),
    /** The last expiry detection: when, what the provider said (a date or none), and a message (never a secret). */
    expiryCheckedAt: timestamp("expiry_checked_at", { withTimezone: true }),
    expiryDetectedAt: timestamp("expiry_detected_at", { withTimezone: true }),
    expiryMessage: text("expiry_message"),
    /**
     * The `expiresAt` values the expiring and expired notifications were sent for: a conditional
     * UPDATE moves them, so each is enqueued once per registry and value, whichever instance sweeps.
     */
    expiringNotifiedFor: timestamp("expiring_notified_for", { withTimezone: true }),
    expiredNotifiedFor: timestamp("expired_notified_for", { withTimezone: true }),
    /** Convention warnings found when the row was last written (messages only, never values). */
    warnings: jsonb("warnings").$type<{ path: string; message: string }[]>().notNull().default([]),
  },
  (t) => [
    uniqueIndex("registries_company_name_idx")
      .on(t.companyId, sql`lower(${t.name})`)
      .where(sql`${t.isDeleted} = false`),
    // `public` entries never conflict, nor do ECR registries whose account is not known yet
    // (URL `dkr.ecr.REGION.amazonaws.com`, "any account in REGION", until the first exchange).
    uniqueIndex("registries_company_url_idx")
      .on(t.companyId, t.url)
      .where(sql`${t.isDeleted} = false and ${t.type} <> 'public' and ${t.url} not like 'dkr.ecr.%'`),
    index("registries_company_created_idx").on(t.companyId, t.createdAt.desc(), t.id.desc()),
    index("registries_company_type_idx").on(t.companyId, t.type),
    index("registries_key_idx").on(t.keyId),
    index("registries_company_expires_idx").on(t.companyId, t.expiresAt).where(sql`${t.isDeleted} = false and ${t.expiresAt} is not null`),
  ],
);

/**
 * Registry passwords obtained by an exchange (ECR's GetAuthorizationToken), shared by every
 * instance: one row per registry, reused until 15 minutes before `expiresAt`. The blob is
 * AES-256-GCM like any secret, bound to its company and registry, and holds a fingerprint of
 * the credentials it was exchanged from, so a token of replaced keys is never served. Rows go
 * when the registry's keys or binding change, when it is deleted, and on key rotation.
 */
export const registryTokens = pgTable("registry_tokens", {
  registryId: uuid("registry_id")
    .primaryKey()
    .references(() => registries.id, { onDelete: "cascade" }),
  companyId: uuid("company_id")
    .notNull()
    .references(() => companies.id, { onDelete: "cascade" }),
  /** `host[:port]` the password is valid for (the proxy endpoint). Not secret. */
  registryHost: text("registry_host").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  blob: text("blob").notNull(),
  keyId: text("key_id").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const CHECK_TRIGGERS = ["schedule", "user", "token"] as const;
export type CheckTrigger = (typeof CHECK_TRIGGERS)[number];

/**
 * The history of a registry's checks: every scheduled check and every manual test of the saved
 * values. The message is the engine's, already redacted (never a secret). Kept 90 days or the
 * newest 1 000 per registry, whichever is less.
 */
export const registryChecks = pgTable(
  "registry_checks",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    registryId: uuid("registry_id")
      .notNull()
      .references(() => registries.id, { onDelete: "cascade" }),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
    status: text("status").notNull(),
    stage: text("stage").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    message: text("message").notNull(),
    trigger: text("trigger").$type<CheckTrigger>().notNull(),
  },
  (t) => [index("registry_checks_registry_idx").on(t.registryId, t.id.desc())],
);
