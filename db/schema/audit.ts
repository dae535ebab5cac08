import { bigint, index, inet, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { companies } from "./identity";

/** Who did what. Never secrets or tokens: metadata holds ids and changed field names only. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    companyId: uuid("company_id").references(() => companies.id, { onDelete: "cascade" }),
    actorUserId: uuid("actor_user_id"),
    actorTokenId: uuid("actor_token_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    ip: inet("ip"),
    requestId: text("request_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_company_id_idx").on(t.companyId, t.id.desc()),
    index("audit_company_action_idx").on(t.companyId, t.action, t.id.desc()),
    index("audit_company_actor_idx").on(t.companyId, t.actorUserId, t.id.desc()),
  ],
);
