import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { clearRegistries } from "../support/registries";
import { shots } from "../support/screenshots";
import { ADMIN, bootstrapOwner, signInPage } from "../support/session";

const LIST = `/${ADMIN.slug}/settings/registries`;
const run = Math.random().toString(36).slice(2, 10);
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** A config.json with three hosts, as `docker login` writes it. */
const PASTED = {
  auths: {
    "ghcr.io": { auth: b64(`octo:ghp_E2eImportE2eImportE2eImport${run}`) },
    "https://index.docker.io/v1/": { auth: b64(`hubuser:dckr_pat_e2e-import-${run}`) },
    "127.0.0.1:5000": { auth: b64(`local:local-e2e-import-${run}`) },
  },
};

/** Uploaded: three new hosts, one already imported (skipped) and one that holds no password (conflict). */
const UPLOADED = {
  auths: {
    "quay.io": { auth: b64(`org+robot:QUAYE2EIMPORT${run.toUpperCase()}`) },
    "ghcr.io/org-b": { username: "org-b-bot", password: `ghp_E2eOrgBE2eOrgBE2eOrgB${run}` },
    "http://127.0.0.1:5001/team-a": { auth: b64(`team-a:team-a-e2e-${run}`) },
    "ghcr.io": { auth: b64(`octo:ghp_E2eImportE2eImportE2eImport${run}`) },
    "sso.example.com": { auth: b64("sso-user:"), identitytoken: `identity-token-${run}` },
  },
};

test.describe.configure({ mode: "serial" });

let api: { companyId: string; token: string };

test.beforeAll(async ({ request }) => {
  api = await bootstrapOwner(request);
  await clearRegistries(request, api.companyId, api.token);
});

async function registryCount(request: APIRequestContext): Promise<number> {
  const res = await request.get(`/api/v1/companies/${api.companyId}/registries`, { headers: { Authorization: `Bearer ${api.token}` } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: unknown[] }).items.length;
}

test.beforeEach(async ({ page }) => {
  await signInPage(page);
});

const dialog = (page: Page) => page.getByRole("dialog", { name: "Import from Docker config" });
const configInput = (page: Page) => dialog(page).getByLabel("Docker config JSON", { exact: true });
const preview = (page: Page) => dialog(page).getByRole("region", { name: "Import preview" });

function row(page: Page, name: string) {
  return page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
}

async function openDialog(page: Page) {
  await page.goto(LIST);
  await page.getByRole("button", { name: "Import from Docker config" }).first().click();
  await expect(dialog(page)).toBeVisible();
}

test("paste a config.json with three hosts: preview, import, see the rows", async ({ page, request }) => {
  await openDialog(page);
  // Nothing can be imported before a preview.
  await expect(dialog(page).getByRole("button", { name: "Import", exact: true })).toBeDisabled();
  await configInput(page).fill(JSON.stringify(PASTED, null, 2));
  await dialog(page).getByRole("button", { name: "Preview", exact: true }).click();
  await expect(preview(page)).toContainText("3 registries will be created.");
  const rows = preview(page).getByRole("row");
  await expect(rows).toHaveCount(4); // the heading row and one per key
  await expect(rows.nth(1)).toContainText("ghcr.io");
  await expect(rows.nth(1)).toContainText("Will be created");
  await expect(rows.nth(1)).toContainText("GitHub Container Registry");
  await expect(rows.nth(2)).toContainText("https://index.docker.io/v1/");
  await expect(rows.nth(2)).toContainText("Docker Hub");
  await expect(rows.nth(3)).toContainText("127.0.0.1:5000");
  await expect(rows.nth(3)).toContainText("Custom / self-hosted");
  // The preview saved nothing.
  expect(await registryCount(request)).toBe(0);
  expect(await new AxeBuilder({ page }).include("dialog").analyze().then((r) => r.violations.map((v) => v.id))).toEqual([]);
  await shots(page, "import-preview");

  await dialog(page).getByRole("button", { name: "Import", exact: true }).click();
  await expect(dialog(page)).toBeHidden();
  await expect(page.getByRole("region", { name: "Notifications" })).toContainText("Imported 3 registries");
  await expect(row(page, "ghcr.io")).toContainText("GitHub Container Registry");
  await expect(row(page, "docker.io")).toContainText("Docker Hub");
  await expect(row(page, "127.0.0.1:5000")).toContainText("Custom / self-hosted");
  expect(await registryCount(request)).toBe(3);
  await shots(page, "import-list");
  // No secret of the config reached the page.
  const html = await page.content();
  for (const entry of Object.values(PASTED.auths)) expect(html).not.toContain(Buffer.from(entry.auth, "base64").toString().split(":")[1]!);
});

test("upload a config.json: skipped and conflict rows with reasons, then import the rest", async ({ page }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-import-e2e-"));
  const file = path.join(dir, "config.json");
  fs.writeFileSync(file, JSON.stringify(UPLOADED, null, "\t"));
  try {
    await openDialog(page);
    await dialog(page).getByLabel("config.json file").setInputFiles(file);
    await expect(dialog(page)).toContainText("Loaded config.json.");
    await expect(configInput(page)).toHaveValue(JSON.stringify(UPLOADED, null, "\t"));
    await dialog(page).getByRole("button", { name: "Preview", exact: true }).click();
    await expect(preview(page)).toContainText("3 registries will be created, 1 skipped, 1 in conflict.");
    const skipped = preview(page).getByRole("row").filter({ hasText: "Skipped" });
    await expect(skipped).toContainText('Already stored as "ghcr.io" for the same user');
    const conflict = preview(page).getByRole("row").filter({ hasText: "Conflict" });
    await expect(conflict).toContainText("sso.example.com");
    await expect(conflict).toContainText("identity token");
    await shots(page, "import-preview-upload");

    await dialog(page).getByRole("button", { name: "Import", exact: true }).click();
    await expect(dialog(page)).toBeHidden();
    await expect(page.getByRole("region", { name: "Notifications" })).toContainText("Imported 3 registries");
    await expect(row(page, "quay.io")).toContainText("Red Hat Quay");
    await expect(row(page, "ghcr.io/org-b")).toContainText("GitHub Container Registry");
    await expect(row(page, "127.0.0.1:5001/team-a")).toContainText("Custom / self-hosted");
    expect(await page.content()).not.toContain(`identity-token-${run}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("keyboard only, errors in the dialog, and the pasted text is gone after closing", async ({ page }) => {
  await page.goto(LIST);
  const opener = page.getByRole("button", { name: "Import from Docker config" }).first();
  await opener.focus();
  await page.keyboard.press("Enter");
  await expect(dialog(page)).toBeVisible();
  await expect(configInput(page)).toBeFocused();
  await page.keyboard.type('{"auths": {');
  // Tab through Show, Upload, Cancel to Preview.
  const previewButton = dialog(page).getByRole("button", { name: "Preview", exact: true });
  for (let i = 0; i < 6 && !(await previewButton.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(previewButton).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog(page).getByRole("alert")).toContainText("dockerconfigjson: Not valid JSON");
  await shots(page, "import-error");

  await page.keyboard.press("Escape");
  await expect(dialog(page)).toBeHidden();
  await expect(opener).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(configInput(page)).toHaveValue("");
  await expect(dialog(page).getByRole("alert")).toHaveCount(0);

  // Empty input is refused in the dialog without a request.
  await previewButton.click();
  await expect(dialog(page).getByRole("alert")).toContainText("Paste the contents of a Docker config.json");
  await dialog(page).getByRole("button", { name: "Cancel", exact: true }).click();
  await expect(dialog(page)).toBeHidden();
});

test("at 375 px the dialog and its preview fit the screen", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await openDialog(page);
  await configInput(page).fill(JSON.stringify(UPLOADED));
  await dialog(page).getByRole("button", { name: "Preview", exact: true }).click();
  await expect(preview(page)).toContainText("in conflict");
  const box = await dialog(page).boundingBox();
  expect(box!.width).toBeLessThanOrEqual(375);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.screenshot({ path: path.join(__dirname, "../../test-results/screenshots/import-dialog-375-viewport.png") });
});
