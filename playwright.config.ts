import fs from "node:fs";
import { defineConfig } from "@playwright/test";

const chromium = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE || "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  throw new Error(
    `No Chromium at ${chromium}. Install one (Debian/Ubuntu: sudo apt-get install -y chromium) ` +
      `or point PLAYWRIGHT_CHROMIUM_EXECUTABLE at a Chromium or Chrome binary. The e2e suite does not skip.`,
  );
}

/**
 * BERTH_E2E_CLUSTER=1: the shared server is three instances behind nginx (e2e/support/global-setup.ts).
 * Its report is kept apart from the main run's, and the specs that start servers of their own
 * (they do not use the shared one) are left to the main run.
 */
const cluster = process.env.BERTH_E2E_CLUSTER === "1";
const report = cluster ? "test-results/playwright-cluster.json" : "test-results/playwright.json";

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: report }]],
  // Playwright empties its output folder at the start of a run: keep it apart from what other
  // steps leave in test-results/ (the reliability figures of Vitest and of the first run).
  outputDir: "test-results/playwright-output",
  globalSetup: "./e2e/support/global-setup.ts",
  use: {
    baseURL: process.env.BERTH_E2E_URL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    { name: "ui", testDir: "./e2e/ui", use: { browserName: "chromium", viewport: { width: 1280, height: 800 } } },
    { name: "api", testDir: "./e2e/api", testIgnore: cluster ? ["**/startup.spec.ts", "**/cluster.spec.ts"] : [] },
    // Issue 16's suites (load, races, crashes, fuzzing, leaks, hardening): short here, full with
    // BERTH_RELIABILITY=full (`npm run test:reliability`). They start servers of their own.
    { name: "reliability", testDir: "./e2e/reliability", timeout: 15 * 60_000 },
  ],
});
