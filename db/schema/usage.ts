import { bigint, date, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { apiTokens, companies, users } from "./identity";
import { registries } from "./registries";

/**
 * One row per registry each time `resolve` or a pull secret used it: when, by whom (user, and
 * the API token when one was used), for which image or host, from which client. Kept 90 days;
 * never holds a secret.
 */
export const registryUses = pgTable(
  "registry_uses",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    registryId: uuid("registry_id")
      .notNull()
      .references(() => registries.id, { onDelete: "cascade" }),
    usedAt: timestamp("used_at", { withTimezone: true }).notNull().defaultNow(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    tokenId: uuid("token_id").references(() => apiTokens.id, { onDelete: "set null" }),
    /** `resolve` or `pull-secret`. */
    operation: text("operation").notNull(),
    /** The image or host asked for; null when the registries were named by id. */
    subject: text("subject"),
    /** `api`, `helper` (docker-credential-berth), `kubelet` (berth-credential-provider) or `ui`. */
    client: text("client").notNull(),
  },
  (t) => [index("registry_uses_registry_idx").on(t.registryId, t.usedAt.desc(), t.id.desc()), index("registry_uses_used_at_idx").on(t.usedAt)],
);

/** Uses per registry per day (UTC), kept a year: the long view once the single uses are pruned. */
export const registryUseDaily = pgTable(
  "registry_use_daily",
  {
    registryId: uuid("registry_id")
      .notNull()
      .references(() => registries.id, { onDelete: "cascade" }),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.registryId, t.day] }), index("registry_use_daily_day_idx").on(t.day)],
);
