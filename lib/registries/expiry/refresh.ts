/**
 * Stores what a provider says of a registry's token expiry. A detected value replaces a detected
 * one (or none); a date the user set is never replaced silently: it is kept, and the message says
 * what the provider said and that clearing the date makes Berth use it. Detection does not bump
 * the registry's version (it is not an edit: an open edit form can still save).
 */
import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { registries } from "@/db/schema";
import { log } from "@/lib/log";
import type { RegistryRow } from "../registry-rows";
import { openRegistrySecrets } from "../secrets";
import { getRegistryType, type RegistryCredentials, type RegistryTypeKey } from "../types";
import { detectTokenExpiry, type DetectionTransport } from "./detect";

/** Whether the registry asks for its expiry to be read from the provider. */
export function wantsExpiryDetection(row: Pick<RegistryRow, "type" | "credentials" | "secretFields">): boolean {
  const definition = getRegistryType(row.type as RegistryTypeKey);
  return !!definition?.expiryDetection && (row.credentials as RegistryCredentials).detectExpiry === true && row.secretFields.includes("token");
}

/** Reads the expiry when the registry opted in; returns whether the row changed. Never throws for a provider's answer. */
export async function refreshDetectedExpiry(db: Db, row: RegistryRow, options: { now?: Date; transport?: DetectionTransport } = {}): Promise<boolean> {
  if (!wantsExpiryDetection(row)) return false;
  const token = openRegistrySecrets(row).token;
  if (!token) return false;
  const credentials = row.credentials as RegistryCredentials;
  const outcome = await detectTokenExpiry(row.type as RegistryTypeKey, credentials, token, options.transport);
  const now = options.now ?? new Date();
  let set: Partial<typeof registries.$inferInsert> = { expiryCheckedAt: now, expiryMessage: outcome.message };
  if (outcome.ok) {
    set.expiryDetectedAt = outcome.expiresAt;
    if (row.expiresAtSource === "user") {
      const same = (row.expiresAt?.getTime() ?? null) === (outcome.expiresAt?.getTime() ?? null);
      if (!same) set.expiryMessage = `${outcome.message}. The date set by hand (${row.expiresAt?.toISOString() ?? "none"}) is kept; clear it to use the detected one.`;
    } else {
      set = { ...set, expiresAt: outcome.expiresAt, expiresAtSource: outcome.expiresAt ? "detected" : null };
    }
  }
  // Not when the registry changed meanwhile (another token, another URL): this answer is about the old one.
  const updated = await db
    .update(registries)
    .set(set)
    .where(and(eq(registries.id, row.id), eq(registries.companyId, row.companyId), eq(registries.version, row.version), eq(registries.isDeleted, false)))
    .returning({ id: registries.id });
  if (!outcome.ok) log.info({ registryId: row.id, message: outcome.message }, "token expiry not detected");
  return updated.length > 0;
}
