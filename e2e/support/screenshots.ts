import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";

/** Where the e2e runs leave their screenshots (copied to docs/screenshots by hand for the README). */
export const SHOTS = path.resolve(__dirname, "../../test-results/screenshots");

/**
 * Full-page screenshots `<name>-desktop.png` (1280 px wide) and `<name>-375.png`, each from the
 * top of the page; the viewport is 1280 × 800 again afterwards.
 */
export async function shots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const [suffix, width] of [["desktop", 1280], ["375", 375]] as const) {
    await page.setViewportSize({ width, height: 800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, `${name}-${suffix}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}
