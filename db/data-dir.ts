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

const UNUSABLE_REASON: Record<string, string> = {
  ENOTDIR: "a part of its path is a file, not a directory",
  EEXIST: "it is a file, not a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
};

/** The embedded data directory cannot be created or written: a start-up error naming it, not a stack trace. */
export class DataDirUnusableError extends Error {
  constructor(
    readonly dir: string,
    readonly code: string,
  ) {
    super(
      `The data directory ${dir} cannot be used: ${UNUSABLE_REASON[code] ?? "it cannot be created or written"} (${code}). ` +
        `Set BERTH_DATA_DIR to a directory this user can write, or DATABASE_URL to use a PostgreSQL server.`,
    );
    this.name = "DataDirUnusableError";
  }
}

/**
 * Creates the data directory if needed and proves it writable (a probe file written and
 * removed: permission bits alone say nothing for root, nor for a read-only mount).
 */
export function assertDataDirUsable(dir: string): void {
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(probe, "");
    fs.rmSync(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new DataDirUnusableError(dir, code);
    throw err;
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
  assertDataDirUsable(dir);
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
