import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { assertDataDirUsable, DataDirLockedError, DataDirUnusableError, lockDataDir, releaseDataDir } from "./data-dir";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    releaseDataDir(d);
    fs.rmSync(d, { recursive: true, force: true });
  }
});
function tmp() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "berth-lock-"));
  dirs.push(d);
  return d;
}

describe("data directory lock", () => {
  it("refuses while another live process holds it", async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      fs.writeFileSync(path.join(dir, "berth.lock"), String(child.pid));
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by another Berth process \\(pid ${child.pid}\\)`));
    } finally {
      child.kill();
    }
  });

  it("takes over a lock whose process is gone, and releases it", async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((r) => child.on("exit", r));
    fs.writeFileSync(path.join(dir, "berth.lock"), String(child.pid));
    lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, "berth.lock"), "utf8")).toBe(String(process.pid));
    releaseDataDir(dir);
    expect(fs.existsSync(path.join(dir, "berth.lock"))).toBe(false);
  });
});

describe("data directory that cannot be used", () => {
  it("names the directory, the reason and the fix when a part of its path is a file (even for root)", () => {
    const parent = tmp();
    const file = path.join(parent, "a-file");
    fs.writeFileSync(file, "");
    const dir = path.join(file, "data");
    expect(() => assertDataDirUsable(dir)).toThrow(DataDirUnusableError);
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`The data directory ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} cannot be used: a part of its path is a file, not a directory \\(ENOTDIR\\)\\. Set BERTH_DATA_DIR`));
  });

  it("accepts a writable directory and leaves no probe behind", () => {
    const dir = path.join(tmp(), "new", "data");
    assertDataDirUsable(dir);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
