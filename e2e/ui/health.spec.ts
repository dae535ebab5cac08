import { expect, test, type APIRequestContext } from "@playwright/test";
import { closedPort } from "@/lib/testing/registry-servers";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { clearRegistries } from "../support/registries";
import { shots } from "../support/screenshots";
import { ADMIN, bootstrapOwner, signInPage } from "../support/session";

const LIST = `/${ADMIN.slug}/settings/registries`;
const USER = "health-user";
const PASSWORD = `berth-health-${Math.random().toString(36).slice(2, 10)}`;

let registry: RunningRegistry;
let deadPort: number;
let api: { companyId: string; token: string };
const ids: Record<"healthy" | "failing" | "unchecked", string> = { healthy: "", failing: "", unchecked: "" };

test.describe.configure({ mode: "serial" });

async function create(request: APIRequestContext, name: string, url: string, password = PASSWORD): Promise<string> {
  const res = await request.post(`/api/v1/companies/${api.companyId}/registries`, {
    headers: { Authorization: `Bearer ${api.token}` },
    data: { name, type: "custom", credentials: { url, username: USER, password } },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).id;
}

async function testSaved(request: APIRequestContext, id: string): Promise<string> {
  const res = await request.post(`/api/v1/companies/${api.companyId}/registries/${id}/test`, { headers: { Authorization: `Bearer ${api.token}` } });
  expect(res.status()).toBe(200);
  return (await res.json()).status;
}

test.beforeAll(async ({ request }) => {
  skipWithoutRegistryTools();
  registry = await startRegistry({ auth: { type: "htpasswd", users: { [USER]: PASSWORD } } });
  deadPort = await closedPort();
  api = await bootstrapOwner(request);
  await clearRegistries(request, api.companyId, api.token);
  ids.unchecked = await create(request, "Health unchecked", `http://${registry.host}/unchecked`);
  ids.failing = await create(request, "Health failing", `http://127.0.0.1:${deadPort}`);
  ids.healthy = await create(request, "Health healthy", `http://${registry.host}/healthy`);
  expect(await testSaved(request, ids.healthy)).toBe("success");
  expect(await testSaved(request, ids.healthy)).toBe("success");
  expect(await testSaved(request, ids.failing)).toBe("unreachable");
  expect(await testSaved(request, ids.failing)).toBe("unreachable");
});

test.afterAll(async () => {
  await registry?.stop();
});

test.beforeEach(async ({ page }) => {
  await signInPage(page);
});

const rowOf = (page: import("@playwright/test").Page, name: string) => page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });

test("the list has a Health column and a health filter kept in the URL", async ({ page }) => {
  await page.goto(LIST);
  await expect(page.getByRole("columnheader", { name: "Health" })).toBeAttached();
  await expect(rowOf(page, "Health healthy").getByText("Healthy", { exact: true })).toBeVisible();
  await expect(rowOf(page, "Health failing").locator('[data-health="failing"]')).toHaveText(/^Failing since [A-Z][a-z]{2} \d{1,2}, \d{2}:\d{2} UTC$/);
  await expect(rowOf(page, "Health unchecked").getByText("Not checked", { exact: true })).toBeVisible();
  await shots(page, "health-list");

  await page.getByLabel("Filter by health", { exact: true }).selectOption("failing");
  await expect(page).toHaveURL(/health=failing/);
  await expect(rowOf(page, "Health failing")).toBeVisible();
  await expect(rowOf(page, "Health healthy")).toHaveCount(0);
  await expect(rowOf(page, "Health unchecked")).toHaveCount(0);
  // The filter survives a reload (the server renders the filtered first page).
  await page.reload();
  await expect(page.getByLabel("Filter by health", { exact: true })).toHaveValue("failing");
  await expect(page.getByRole("row").filter({ has: page.getByRole("link") })).toHaveCount(1);

  await page.getByLabel("Filter by health", { exact: true }).selectOption("expired");
  await expect(page.getByText("No registries match this filter with health “Expired”.")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).first().click();
  await expect(rowOf(page, "Health healthy")).toBeVisible();
});

test("a registry's page shows its health, the 30-day uptime and a timeline of checks", async ({ page }) => {
  await page.goto(`${LIST}/${ids.healthy}`);
  const section = page.getByRole("region", { name: "Health" });
  await expect(section.getByText("Healthy", { exact: true })).toBeVisible();
  await expect(section.getByTestId("uptime")).toHaveText("100.0 %");
  const bars = section.getByRole("list", { name: "Checks per day, last 30 days" }).getByRole("listitem");
  await expect(bars).toHaveCount(30);
  await expect(bars.last()).toHaveAccessibleName(/^[A-Z][a-z]{2} \d{1,2}: 2 checks, 2 passed, 0 failed; last: success$/);
  await expect(bars.first()).toHaveAccessibleName(/: no checks$/);
  await shots(page, "health-registry");

  await page.goto(`${LIST}/${ids.failing}`);
  await expect(page.getByRole("region", { name: "Health" }).getByTestId("uptime")).toHaveText("0.0 %");
  await expect(page.getByRole("region", { name: "Health" }).locator('[data-health="failing"]')).toHaveText(/^Failing since /);

  await page.goto(`${LIST}/${ids.unchecked}`);
  await expect(page.getByRole("region", { name: "Health" }).getByText(/^No checks in the last 30 days yet/)).toBeVisible();
});

test("the form's Scheduled health checks checkbox opts a registry out", async ({ page, request }) => {
  await page.goto(`${LIST}/${ids.unchecked}`);
  const box = page.getByLabel("Scheduled health checks", { exact: true });
  await expect(box).toBeChecked();
  await box.uncheck();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`${LIST}$`));
  const res = await request.get(`/api/v1/companies/${api.companyId}/registries/${ids.unchecked}`, { headers: { Authorization: `Bearer ${api.token}` } });
  expect((await res.json()).scheduledChecks).toBe(false);
  await page.goto(`${LIST}/${ids.unchecked}`);
  await expect(page.getByLabel("Scheduled health checks", { exact: true })).not.toBeChecked();
  await expect(page.getByText("Scheduled checks are off for this registry: only manual tests are recorded.")).toBeVisible();
});

test("owners set the company's check interval on the security page", async ({ page }) => {
  await page.goto(`/${ADMIN.slug}/settings/security`);
  const card = page.getByRole("region", { name: "Scheduled health checks" });
  await expect(card.getByTestId("effective-interval")).toHaveText("60 minutes");
  await card.getByLabel("Use our own interval", { exact: true }).check();
  await card.getByLabel("Interval in minutes", { exact: true }).fill("5");
  await card.getByRole("button", { name: "Save interval" }).click();
  await expect(card.getByText("Enter a whole number of minutes from 15 to 1440.")).toBeVisible();
  await card.getByLabel("Interval in minutes", { exact: true }).fill("30");
  await card.getByRole("button", { name: "Save interval" }).click();
  await expect(card.getByTestId("effective-interval")).toHaveText("30 minutes");
  await expect(page.getByText("Registries are checked every 30 minutes")).toBeVisible();
  await shots(page, "health-interval");
  await page.reload();
  await expect(page.getByRole("region", { name: "Scheduled health checks" }).getByTestId("effective-interval")).toHaveText("30 minutes");
  await page.getByLabel("Use our own interval", { exact: true }).uncheck();
  await page.getByRole("button", { name: "Save interval" }).click();
  await expect(page.getByRole("region", { name: "Scheduled health checks" }).getByTestId("effective-interval")).toHaveText("60 minutes");
});
