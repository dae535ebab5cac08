import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { startBerth } from "../support/server";

test("a restart keeps the embedded data and the generated key", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-restart-"));
  try {
    const first = await startBerth({}, { dataDir });
    const key = fs.readFileSync(path.join(dataDir, "encryption.key"), "utf8");
    const secret = fs.readFileSync(path.join(dataDir, "auth-secret"), "utf8");
    expect(fs.statSync(path.join(dataDir, "encryption.key")).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain("Back it up");
    await first.stop();

    const second = await startBerth({}, { dataDir });
    expect(fs.readFileSync(path.join(dataDir, "encryption.key"), "utf8")).toBe(key);
    expect(fs.readFileSync(path.join(dataDir, "auth-secret"), "utf8")).toBe(secret);
    expect(second.output()).not.toContain("Generated");
    expect(second.output()).toContain('"applied":0');
    await second.stop();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("with DATABASE_URL and no keys the server refuses to start, naming what is missing", async () => {
  const root = path.resolve(__dirname, "../..");
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "production", DATABASE_URL: "postgres://127.0.0.1:1/none" };
  const res = spawnSync(path.join(root, "node_modules/.bin/next"), ["start", "-p", "0", "-H", "127.0.0.1"], { cwd: root, env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 30_000 });
  expect(res.status).not.toBe(0);
  expect(res.stdout + res.stderr).toContain("ENCRYPTION_KEYS and AUTH_SECRET must be set when DATABASE_URL is set");
});
