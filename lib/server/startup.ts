import "server-only";
import { dbHandle } from "@/db";
import { assertDataDirUsable, dataDir } from "@/db/data-dir";
import { appliedMigrationCount, expectedMigrationCount, migrateDatabase } from "@/db/migrate";
import { serverSecrets } from "@/lib/crypto";
import { assertKeysAvailable } from "@/lib/crypto/rotate";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { runFirstRunBootstrap } from "@/lib/auth/bootstrap";
import { startJobRunner } from "./jobs";
import { installPeerAddressStamp } from "./peer-address";
import { installRequestHooks } from "./request-hooks";
import { installMetricSources } from "./metric-sources";
import { installShutdownHandlers, shutdownPhase } from "./shutdown";

export interface StartupState {
  phase: "starting" | "ready" | "failed";
  error?: string;
}

const globalForStartup = globalThis as unknown as { berthStartup?: { state: StartupState; done?: Promise<void> } };

export function startupState(): StartupState {
  return globalForStartup.berthStartup?.state ?? { phase: "starting" };
}

/**
 * Everything the server does once before it serves: validate the environment, load (or generate)
 * the keys, open the database, migrate under a lock, check that every stored row's key is present,
 * and run the first-run bootstrap (so /api/ready answers 200 only once all of it is done).
 */
export function startServer(): Promise<void> {
  const existing = globalForStartup.berthStartup;
  if (existing?.done) return existing.done;
  const holder: { state: StartupState; done?: Promise<void> } = { state: { phase: "starting" } };
  globalForStartup.berthStartup = holder;
  holder.done = (async () => {
    installPeerAddressStamp();
    const e = env();
    installRequestHooks(() => env().BERTH_TRUSTED_PROXIES);
    installShutdownHandlers();
    // The embedded default keeps its keys and database there: say plainly if it cannot.
    if (!e.DATABASE_URL) assertDataDirUsable(dataDir(e.BERTH_DATA_DIR));
    const secrets = serverSecrets();
    for (const file of secrets.generated) {
      log.warn({ file }, `Generated ${file}. Back it up together with the database: ${file.endsWith("encryption.key") ? "without it the stored credentials cannot be read" : "it signs the sign-in sessions"}.`);
    }
    process.env.AUTH_SECRET ??= secrets.authSecret;
    const handle = await dbHandle();
    const { applied } = await migrateDatabase();
    log.info({ database: handle.kind, applied, dataDir: handle.kind === "pglite" ? e.BERTH_DATA_DIR : undefined }, "database ready");
    await assertKeysAvailable(handle.db, secrets.keyring);
    await runFirstRunBootstrap();
    await startJobRunner();
    installMetricSources();
    holder.state = { phase: "ready" };
  })().catch((err: unknown) => {
    holder.state = { phase: "failed", error: err instanceof Error ? err.message : String(err) };
    throw err;
  });
  return holder.done;
}

/** Database reachable, every migration applied, and not shutting down (`shutdown: draining`). */
export async function readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const state = startupState();
  const checks: Record<string, string> = { startup: state.phase };
  const phase = shutdownPhase();
  if (phase !== "serving") {
    checks.shutdown = "draining";
    return { ready: false, checks };
  }
  if (state.phase !== "ready") return { ready: false, checks };
  try {
    const applied = await appliedMigrationCount();
    const expected = expectedMigrationCount();
    checks.database = "ok";
    checks.migrations = applied >= expected ? "ok" : `pending (${applied}/${expected})`;
  } catch {
    checks.database = "unreachable";
  }
  return { ready: Object.values(checks).every((v) => v === "ok" || v === "ready"), checks };
}
