import { log } from "@/lib/log";
import { startServer } from "./startup";

/** Runs the start-up work; a configuration problem ends the process with a message naming it. */
export async function bootOrExit(): Promise<void> {
  try {
    await startServer();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const expected = err instanceof Error && ["ConfigError", "DataDirLockedError", "DataDirUnusableError"].includes(err.name);
    log.fatal(expected ? {} : { err }, message);
    console.error(`\nBerth cannot start: ${message}\n`);
    process.exit(1);
  }
}
