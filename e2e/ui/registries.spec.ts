import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { REGISTRY_TYPE_KEYS, getRegistryType, type RegistryTypeKey } from "@/lib/registries/schemas";
import { closedPort } from "@/lib/testing/registry-servers";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { clearRegistries, fillRegistryForm, testResult } from "../support/registries";
import { shots } from "../support/screenshots";
import { ADMIN, bootstrapOwner, signInPage } from "../support/session";

const LIST = `/${ADMIN.slug}/settings/registries`;
const USER = "e2e-user";
const PASSWORD = `berth-e2e-${Math.random().toString(36).slice(2, 10)}`;

let authRegistry: RunningRegistry;
let openRegistry: RunningRegistry;
let deadPort: number;
let api: { companyId: string; token: string };

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ request }) => {
  skipWithoutRegistryTools();
  authRegistry = await startRegistry({ auth: { type: "htpasswd", users: { [USER]: PASSWORD } } });
  openRegistry = await startRegistry({ auth: { type: "none" } });
  deadPort = await closedPort();
  api = await bootstrapOwner(request);
  await clearRegistries(request, api.companyId, api.token);
});

test.afterAll(async () => {
  await authRegistry?.stop();
  await openRegistry?.stop();
});

test.beforeEach(async ({ page }) => {
  await signInPage(page);
});

async function openAddForm(page: Page) {
  await page.goto(LIST);
  await page.getByRole("link", { name: "Add Registry" }).first().click();
  await expect(page.getByLabel("Registry type", { exact: true })).toBeVisible();
}

function row(page: Page, name: string) {
  return page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
}

test("the Registry type select lists every type with its label", async ({ page }) => {
  await openAddForm(page);
  const options = await page.getByLabel("Registry type", { exact: true }).locator("option").evaluateAll((els) =>
    els.map((e) => [(e as HTMLOptionElement).value, e.textContent?.trim()]),
  );
  expect(options.filter(([v]) => v)).toEqual(REGISTRY_TYPE_KEYS.map((k) => [k, getRegistryType(k).label]));
});

for (const type of REGISTRY_TYPE_KEYS) {
  test(`add a ${type} registry: field errors, save, see the row`, async ({ page }) => {
    const name = `UI ${getRegistryType(type).label}`;
    await openAddForm(page);
    await fillRegistryForm(page, type, name);
    // An invalid value gives an inline error on that field and nothing is saved.
    await page.getByLabel("Name", { exact: true }).fill("");
    await page.getByLabel("Name", { exact: true }).blur();
    await expect(page.locator("#field-name-error")).toBeVisible();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).not.toHaveURL(new RegExp(`${LIST}$`));
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(new RegExp(`${LIST}$`));
    await expect(row(page, name)).toBeVisible();
    await expect(row(page, name)).toContainText(getRegistryType(type).label);
  });
}

/** Types whose URL can point at the local test registry. */
const LIVE: { type: RegistryTypeKey; secret: "password" | "token" }[] = [
  { type: "custom", secret: "password" },
  { type: "harbor", secret: "password" },
  { type: "artifactory", secret: "password" },
  { type: "quay", secret: "token" },
  { type: "gitlab", secret: "token" },
];

for (const { type, secret } of LIVE) {
  test(`Test Connection for ${type} against the real registry: success, wrong password, unreachable`, async ({ page }) => {
    await openAddForm(page);
    const label = getRegistryType(type).fields.find((f) => f.name === secret)!.label;
    // One URL per company: each type gets its own path prefix on the one local registry.
    const url = type === "custom" ? `http://${authRegistry.host}` : `http://${authRegistry.host}/${type}`;
    await fillRegistryForm(page, type, `Live ${type}`, { url, username: USER, [secret]: PASSWORD, caCertificate: "" });
    await page.getByRole("button", { name: "Test Connection" }).click();
    await expect(testResult(page)).toHaveText(/^Connection successful/);
    if (type === "custom") {
      await shots(page, "add-form-success");
    }

    await page.getByLabel(label, { exact: true }).fill("wrong-password-value");
    await page.getByRole("button", { name: "Test Connection" }).click();
    await expect(testResult(page)).toHaveText(/^Connection failed:/);
    if (type === "custom") {
      await shots(page, "add-form-failed");
    }

    await page.getByLabel(label, { exact: true }).fill(PASSWORD);
    await page.getByLabel("Registry URL", { exact: true }).fill(`http://127.0.0.1:${deadPort}`);
    await page.getByRole("button", { name: "Test Connection" }).click();
    await expect(testResult(page)).toHaveText(/^Connection failed:.*(refused|reach)/i);

    // Saved against the live registry, for the edit tests below.
    await page.getByLabel("Registry URL", { exact: true }).fill(url);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(new RegExp(`${LIST}$`));
    await expect(row(page, `Live ${type}`)).toBeVisible();
  });
}

test("Test Connection for a public registry: success without credentials, unreachable", async ({ page }) => {
  await openAddForm(page);
  await fillRegistryForm(page, "public", "Live public", { url: `http://${openRegistry.host}` });
  await page.getByRole("button", { name: "Test Connection" }).click();
  await expect(testResult(page)).toHaveText(/^Connection successful/);
  await page.getByLabel("Registry URL", { exact: true }).fill(`http://127.0.0.1:${deadPort}`);
  await page.getByRole("button", { name: "Test Connection" }).click();
  await expect(testResult(page)).toHaveText(/^Connection failed:/);
});

test("a registry that answers anonymously is Not verified when credentials were given", async ({ page }) => {
  await openAddForm(page);
  await fillRegistryForm(page, "custom", "Anonymous", { url: `http://${openRegistry.host}`, username: "someone", password: "anything-at-all" });
  await page.getByRole("button", { name: "Test Connection" }).click();
  await expect(testResult(page)).toHaveText(/^Not verified/);
});

test("edit: blank secrets are kept, a new host needs them again; deactivate; delete with confirm", async ({ page }) => {
  await page.goto(LIST);
  await shots(page, "list");

  await row(page, "Live custom").getByRole("button", { name: "Edit" }).click();
  await expect(page.getByLabel("Registry type", { exact: true })).toBeDisabled();
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(page.getByText("leave blank to keep the current value").first()).toBeVisible();
  await page.getByRole("button", { name: "Test Connection" }).click();
  await expect(testResult(page)).toHaveText(/^Connection successful/);

  await page.getByLabel("Registry URL", { exact: true }).fill(`http://127.0.0.1:${deadPort}`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#field-password-error")).toContainText("host changed");
  await page.getByLabel("Registry URL", { exact: true }).fill(`http://${authRegistry.host}`);
  await page.getByLabel("Name", { exact: true }).fill("Live custom (edited)");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`${LIST}$`));

  // The saved secret still works: a row Test refreshes the badge.
  const edited = row(page, "Live custom (edited)");
  await edited.getByRole("button", { name: "Test" }).click();
  await expect(edited.getByRole("button", { name: "Connected" })).toBeVisible();

  const active = edited.getByRole("switch", { name: "Active" });
  await expect(active).toHaveAttribute("aria-checked", "true");
  await active.click();
  await expect(active).toHaveAttribute("aria-checked", "false");
  await page.reload();
  await expect(row(page, "Live custom (edited)").getByRole("switch", { name: "Active" })).toHaveAttribute("aria-checked", "false");

  await row(page, "UI Public (no auth)").getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("UI Public (no auth)");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await row(page, "UI Public (no auth)").getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "UI Public (no auth)")).toHaveCount(0);
});

test("the HTML and the JavaScript served for these pages never contain a stored secret", async ({ page }) => {
  const secrets = [PASSWORD, "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000", "fake-harbor-robot-secret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FAKE0QUAY0ROBOT0TOKEN0000000000"];
  await page.goto(LIST);
  const editHref = await row(page, "Live custom (edited)").getByRole("link").first().getAttribute("href");
  const urls = [LIST, `${LIST}/new`, editHref!];
  const scripts = new Set<string>();
  for (const url of urls) {
    const html = await (await page.request.get(url)).text();
    for (const s of secrets) expect(html, `${url} holds a secret`).not.toContain(s);
    for (const m of html.matchAll(/<script[^>]+src="([^"]+)"/g)) scripts.add(m[1]!);
  }
  expect(scripts.size).toBeGreaterThan(0);
  for (const src of scripts) {
    const js = await (await page.request.get(src)).text();
    for (const s of secrets) expect(js, `${src} holds a secret`).not.toContain(s);
  }
});

test("the list and the form have no serious accessibility violations", async ({ page }) => {
  for (const url of [LIST, `${LIST}/new?type=custom`]) {
    await page.goto(url);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), url).toEqual([]);
  }
});

test("a viewer sees no write actions; another company's registry id is not found", async ({ page, browser, request }) => {
  // Invite a viewer, who joins through the link.
  const origin = new URL(page.url()).origin;
  const invite = await page.request.post(`/api/v1/companies/${api.companyId}/invites`, { data: { email: "viewer@example.test", role: "viewer" }, headers: { Origin: origin } });
  expect(invite.status()).toBe(201);
  const { invitePath } = await invite.json();
  const viewer = await browser.newContext({ baseURL: origin });
  const vpage = await viewer.newPage();
  await vpage.goto(invitePath);
  await vpage.getByLabel("Password", { exact: true }).fill("viewer-password-1");
  await vpage.getByRole("button", { name: "Create account and join" }).click();
  await expect(vpage).toHaveURL(new RegExp(`${LIST}$`));
  await expect(vpage.getByRole("link", { name: "Add Registry" })).toHaveCount(0);
  const vrow = vpage.getByRole("row").filter({ has: vpage.getByRole("link", { name: "Live harbor", exact: true }) });
  await expect(vrow).toBeVisible();
  await expect(vrow.getByRole("button", { name: "Edit" })).toBeDisabled();
  await expect(vrow.getByRole("button", { name: "Delete" })).toBeDisabled();
  await expect(vrow.getByRole("button", { name: "Test" })).toBeDisabled();
  await viewer.close();

  // A registry of another company, opened under this company's path, is "not found".
  await page.goto("/companies/new");
  await page.getByLabel("Company name", { exact: true }).fill("Other Co");
  await page.getByRole("button", { name: "Create company" }).click();
  await expect(page).toHaveURL(/\/other-co\/settings\/registries$/);
  const created = await page.request.post(`/api/v1/companies/other-co/registries`, {
    data: { name: "Elsewhere", type: "custom", credentials: { url: "elsewhere.example.test", username: "u", password: "elsewhere-secret" } },
    headers: { Origin: origin },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await page.goto(`${LIST}/${id}`);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  void request;
});
