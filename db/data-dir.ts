import fs from "node:fs";
import path from "node:path";

/**
 * The embedded data directory (PGlite, the generated key and the auth secret). PGlite allows one
 * process at a time, so whoever opens it holds `berth.lock` (the owner's pid). A lock whose
 * process is gone is taken over.
 */
export function dataDir(raw = process.env.BERTH_DATA_DIR): string {
  return path.resolve(raw && raw.trim() !== "" ? raw : "./.data");
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dir} is in use by another Berth process (pid ${pid}). ` +
        `Stop the server first, or use the API while it runs.`,
    );
    this.name = "DataDirLockedError";
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const held = new Set<string>();

/** Takes the lock for this process (idempotent); throws DataDirLockedError if another live process has it. */
export function lockDataDir(dir: string): void {
  if (held.has(dir)) return;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "berth.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, "wx", 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      held.add(dir);
      process.once("exit", () => releaseDataDir(dir));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
      if (owner === process.pid) {
        held.add(dir);
        return;
      }
      if (pidAlive(owner)) throw new DataDirLockedError(dir, owner);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`Could not take the lock ${file}`);
}

export function releaseDataDir(dir: string): void {
  if (!held.delete(dir)) return;
  const file = path.join(dir, "berth.lock");
  try {
    if (fs.readFileSync(file, "utf8").trim() === String(process.pid)) fs.rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
