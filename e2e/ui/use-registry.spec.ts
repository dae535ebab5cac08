import { expect, test } from "@playwright/test";
import { shots } from "../support/screenshots";
import { ADMIN, bootstrapOwner, signInPage } from "../support/session";

const LIST = `/${ADMIN.slug}/settings/registries`;
// A password a shell and YAML both have to get right, and that must never stay in the page.
const PASSWORD = `it's-$HOME-"quoted"-${Math.random().toString(36).slice(2, 10)}`;

test.describe.configure({ mode: "serial" });

let api: { companyId: string; token: string };
let registryId: string;
let host: string;

test.beforeAll(async ({ request }) => {
  api = await bootstrapOwner(request);
  host = `127.0.0.1:5999/team-${Date.now()}`;
  const res = await request.post(`/api/v1/companies/${api.companyId}/registries`, {
    data: { name: `Use panel ${Date.now()}`, type: "custom", credentials: { url: host, username: "deploy", password: PASSWORD } },
    headers: { Authorization: `Bearer ${api.token}` },
  });
  expect(res.status(), await res.text()).toBe(201);
  registryId = (await res.json()).id;
});

test("an owner reveals a pull secret after confirming; it is audited and gone after leaving the page", async ({ page }) => {
  await signInPage(page);
  await page.goto(`${LIST}/${registryId}`);
  const panel = page.getByRole("region", { name: "Use this registry" });
  await expect(panel).toBeVisible();
  await expect(panel.getByText(`${host}/`, { exact: true })).toBeVisible();
  // Nothing secret is in the page before the reveal, the API call included.
  expect(await page.content()).not.toContain(PASSWORD);
  await expect(panel.getByText(`/api/v1/companies/${api.companyId}/registries/pull-secret`)).toBeVisible();

  // A bad namespace is refused next to its field.
  await panel.getByLabel("Namespace", { exact: true }).fill("Not_A_Namespace");
  await panel.getByRole("button", { name: "Reveal credentials" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(panel.getByText(/DNS-1123 label/)).toBeVisible();
  expect(await page.content()).not.toContain(PASSWORD);

  // The Kubernetes Secret: revealed only after the confirmation, with the name and namespace asked for.
  await panel.getByLabel("Namespace", { exact: true }).fill("team-a");
  await panel.getByRole("button", { name: "Reveal credentials" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("audit log");
  await dialog.getByRole("button", { name: "Reveal", exact: true }).click();
  const output = panel.locator("pre").first();
  await expect(output).toContainText("kubernetes.io/dockerconfigjson");
  await expect(output).toContainText("namespace: team-a");
  await expect(panel.getByRole("button", { name: "Copy Kubernetes Secret" })).toBeVisible();
  // The reveal is a use of the registry, listed with who made it and from where.
  await expect(page.getByRole("region", { name: "Recent uses" }).getByRole("listitem").first()).toContainText(`Pull secret issued`);
  await expect(page.getByRole("region", { name: "Recent uses" }).getByRole("listitem").first()).toContainText(`${ADMIN.email}`);
  await expect(page.getByRole("region", { name: "Recent uses" }).getByRole("listitem").first()).toContainText("Dashboard");
  await shots(page, "registry-use-panel");

  // docker login: a command reading the password from stdin.
  await panel.getByText("docker login", { exact: true }).click();
  await expect(panel.getByRole("button", { name: "Reveal credentials" })).toBeVisible(); // switching formats hides it again
  await panel.getByRole("button", { name: "Reveal credentials" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(panel.locator("pre").first()).toContainText("--password-stdin");
  expect(await page.content()).toContain("deploy");

  // Hide drops it from the page.
  await panel.getByRole("button", { name: "Hide", exact: true }).click();
  await expect(panel.getByText("--password-stdin")).toHaveCount(0);

  // Each reveal is in the audit log, without the secret.
  const audit = await page.request.get(`/api/v1/companies/${api.companyId}/audit-events?limit=20`);
  expect(audit.status()).toBe(200);
  const text = await audit.text();
  expect(text).toContain("registry.pull_secret_issued");
  expect(text).not.toContain(PASSWORD);

  // Leaving the page and coming back shows no secret.
  await panel.getByRole("button", { name: "Reveal credentials" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(panel.locator("pre").first()).toContainText("--password-stdin");
  await page.goto(LIST);
  await page.goto(`${LIST}/${registryId}`);
  await expect(page.getByRole("region", { name: "Use this registry" })).toBeVisible();
  expect(await page.content()).not.toContain(PASSWORD);
  await expect(page.getByText("--password-stdin")).toHaveCount(0);
});

test("at 375 px the panel fits and the format switch works with the keyboard", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await signInPage(page);
  await page.goto(`${LIST}/${registryId}`);
  const panel = page.getByRole("region", { name: "Use this registry" });
  await panel.getByLabel("Kubernetes Secret").focus();
  await page.keyboard.press("ArrowRight");
  await expect(panel.getByLabel("docker login")).toBeChecked();
  await expect(panel.getByLabel("Namespace", { exact: true })).toHaveCount(0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test("a member sees the image prefix and the API call, but cannot reveal", async ({ page, browser }) => {
  await signInPage(page);
  const origin = new URL(page.url()).origin;
  const email = `use-member-${Date.now()}@berth.test`;
  const invite = await page.request.post(`/api/v1/companies/${api.companyId}/invites`, { data: { email, role: "member" }, headers: { Origin: origin } });
  expect(invite.status()).toBe(201);
  const member = await browser.newContext({ baseURL: origin });
  const mpage = await member.newPage();
  await mpage.goto((await invite.json()).invitePath);
  await mpage.getByLabel("Password", { exact: true }).fill("member-password-1");
  await mpage.getByRole("button", { name: "Create account and join" }).click();
  await expect(mpage).toHaveURL(new RegExp(`${LIST}$`));
  await mpage.goto(`${LIST}/${registryId}`);
  const panel = mpage.getByRole("region", { name: "Use this registry" });
  await expect(panel.getByText(`${host}/`, { exact: true })).toBeVisible();
  await expect(panel.getByText("Only owners and admins can reveal credentials here")).toBeVisible();
  await expect(panel.getByRole("button", { name: "Reveal credentials" })).toHaveCount(0);
  expect(await mpage.content()).not.toContain(PASSWORD);
  await member.close();
});

test("the list shows when it was last used; deleting it asks a second time, naming that use", async ({ page }) => {
  await signInPage(page);
  await page.goto(LIST);
  const row = page.getByRole("row").filter({ hasText: host });
  await expect(row).toContainText(/Used (just now|\d+ minutes? ago)/);
  await row.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(dialog).toContainText("is in use: pull secret issued");
  await expect(dialog).toContainText(ADMIN.email);
  await expect(dialog).toContainText("client ui");
  await expect(row).toBeVisible(); // not deleted by the first click
  await dialog.getByRole("button", { name: "Delete anyway" }).click();
  await expect(page.getByRole("row").filter({ hasText: host })).toHaveCount(0);
});
