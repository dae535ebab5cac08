import { expect, test, type Browser, type Page } from "@playwright/test";
import { shots } from "../support/screenshots";
import { ADMIN, bootstrapOwner, signInApi, signInPage } from "../support/session";

const PAGE = `/${ADMIN.slug}/settings/integrations`;

test.describe.configure({ mode: "serial" });

let api: { companyId: string; token: string };
const stamp = Date.now().toString(36);
const registries = {
  limited: { name: `Int limited ${stamp}`, host: "127.0.0.1:5998", url: `127.0.0.1:5998/int-${stamp}` },
  other: { name: `Int other ${stamp}`, host: "127.0.0.1:5997", url: "127.0.0.1:5997" },
};
const ids: Record<keyof typeof registries, string> = { limited: "", other: "" };

test.beforeAll(async ({ request }) => {
  api = await bootstrapOwner(request);
  for (const key of Object.keys(registries) as (keyof typeof registries)[]) {
    const r = registries[key];
    const res = await request.post(`/api/v1/companies/${api.companyId}/registries`, {
      data: { name: r.name, type: "custom", credentials: { url: r.url, username: "deploy", password: `int-password-${stamp}-${key}` } },
      headers: { Authorization: `Bearer ${api.token}` },
    });
    // The other registry's URL may exist from an earlier run against the same server: reuse it.
    if (res.status() === 409) {
      const list = await (await request.get(`/api/v1/companies/${api.companyId}/registries?limit=100`, { headers: { Authorization: `Bearer ${api.token}` } })).json();
      const found = list.items.find((i: { url: string }) => i.url === r.url);
      expect(found, `registry at ${r.url}`).toBeTruthy();
      ids[key] = found.id;
      registries[key].name = found.name;
    } else {
      expect(res.status(), await res.text()).toBe(201);
      ids[key] = (await res.json()).id;
    }
  }
});

/** A new member of the shared company with this role, through an invite link as a person would. */
async function newMember(browser: Browser, role: "member" | "viewer") {
  const email = `int-${role}-${stamp}@berth.test`;
  const password = `int-${role}-password-1`;
  const owner = await browser.newContext();
  await signInApi(owner.request);
  const origin = new URL((await owner.request.get("/api/health")).url()).origin;
  const res = await owner.request.post(`/api/v1/companies/${api.companyId}/invites`, { data: { email, role }, headers: { Origin: origin } });
  expect(res.status(), await res.text()).toBe(201);
  const { invitePath } = await res.json();
  await owner.close();
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(invitePath);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/settings\/registries$/);
  return { ctx, page };
}

/** At 375 px the page itself never scrolls sideways (code blocks and the nav scroll inside themselves). */
async function expectNoHorizontalScroll(page: Page) {
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("an owner's snippets carry this server's URL and the company; a pull token is shown once and fills them", async ({ page, request }) => {
  await signInPage(page);
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Integrations" }).click();
  await expect(page.getByRole("heading", { name: "Integrations", level: 1 })).toBeVisible();
  const origin = new URL(page.url()).origin;

  await expect(page.getByTestId("snippet-helper-install")).toHaveText(
    `curl -fsSL ${origin}/downloads/docker-credential-berth -o /usr/local/bin/docker-credential-berth && chmod +x /usr/local/bin/docker-credential-berth`,
  );
  const env = page.getByTestId("snippet-helper-env");
  await expect(env).toContainText(`export BERTH_URL='${origin}'`);
  await expect(env).toContainText(`export BERTH_COMPANY='${ADMIN.slug}'`);
  await expect(env).toContainText("export BERTH_TOKEN='brt_REPLACE_WITH_A_REGISTRIES_PULL_TOKEN'");
  const credHelpers = JSON.parse((await page.getByTestId("snippet-cred-helpers").textContent())!);
  expect(credHelpers.credHelpers).toMatchObject({ [registries.limited.host]: "berth", [registries.other.host]: "berth" });
  const file = JSON.parse(/<<'EOF'\n([\s\S]*?)\nEOF/.exec((await page.getByTestId("snippet-helper-file").textContent())!)![1]!);
  expect(file).toEqual({ url: origin, token: "brt_REPLACE_WITH_A_REGISTRIES_PULL_TOKEN", company: ADMIN.slug });
  expect(JSON.parse((await page.getByTestId("snippet-gitlab-auth").textContent())!)).toEqual(credHelpers);
  const provider = page.getByTestId("snippet-provider-config");
  await expect(provider).toContainText(`- "${registries.limited.host}"`);
  await expect(provider).toContainText(`- "${registries.other.host}"`);
  await expect(provider).toContainText(`value: "${origin}"`);
  await expect(provider).toContainText(`value: "${ADMIN.slug}"`);
  await expect(page.getByTestId("snippet-external-secrets")).toContainText(`url: "${origin}/api/v1/companies/${ADMIN.slug}/registries/pull-secret"`);
  await expect(page.getByRole("button", { name: "Copy snippet: 1. Install the helper" })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await shots(page, "integrations");

  // The pull token, limited to one registry through the searchable list.
  const tokenName = `int-pull-${stamp}`;
  await page.getByRole("button", { name: "Create a pull token" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a pull token" });
  await dialog.getByLabel("Token name", { exact: true }).fill(tokenName);
  await dialog.getByLabel("Search registries").fill(registries.limited.name);
  await expect(dialog.getByRole("checkbox")).toHaveCount(1);
  await dialog.getByRole("checkbox", { name: registries.limited.name }).check();
  await expect(dialog.getByText("1 chosen")).toBeVisible();
  await shots(page, "integrations-token-dialog");
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog).toBeHidden();
  const token = (await page.getByTestId("integrations-token-value").textContent())!.trim();
  expect(token).toMatch(/^brt_[A-Za-z0-9_-]{43}$/);
  await expect(env).toContainText(`export BERTH_TOKEN='${token}'`);
  await expect(page.getByTestId("snippet-provider-install")).toContainText(`'${token}'`);
  await expect(page.getByTestId("snippet-external-secrets")).toContainText(`token: "${token}"`);
  // the node's kubelet configuration names the token's file, never the token
  await expect(provider).not.toContainText(token);
  await shots(page, "integrations-token");

  // The token works, limited: it lists only the chosen registry and cannot see the other.
  const listed = await request.get(`/api/v1/companies/${api.companyId}/registries?limit=100`, { headers: { Authorization: `Bearer ${token}` } });
  expect(listed.status()).toBe(200);
  expect((await listed.json()).items.map((i: { id: string }) => i.id)).toEqual([ids.limited]);
  expect((await request.get(`/api/v1/companies/${api.companyId}/registries/${ids.other}`, { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(404);

  // Shown once: a reload drops it from the page.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Integrations", level: 1 })).toBeVisible();
  await expect(page.getByTestId("snippet-helper-env")).toContainText("brt_REPLACE_WITH_A_REGISTRIES_PULL_TOKEN");
  expect(await page.content()).not.toContain(token);

  // Settings › API tokens lists it with its scope and its limit (by name), never the token.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API tokens" }).click();
  const row = page.getByRole("row").filter({ hasText: tokenName });
  await expect(row).toBeVisible();
  await expect(row.getByRole("list", { name: "Limited to registries" })).toHaveText(registries.limited.name);
  await expect(row).toContainText("registries:pull");
  expect(await page.content()).not.toContain(token);
  // The same limit is offered in the token form there.
  await expect(page.getByRole("group", { name: "Limit to registries" })).toBeVisible();
  await shots(page, "tokens-registry-limit");
});

test("a member is told to ask an admin; a viewer sees the page and its snippets without the token button", async ({ browser }) => {
  const member = await newMember(browser, "member");
  await member.page.goto(PAGE);
  await expect(member.page.getByRole("heading", { name: "Integrations", level: 1 })).toBeVisible();
  await expect(member.page.getByText("ask an admin to create one")).toBeVisible();
  await expect(member.page.getByRole("button", { name: "Create a pull token" })).toHaveCount(0);
  await member.ctx.close();

  const viewer = await newMember(browser, "viewer");
  await viewer.page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Integrations" }).click();
  await expect(viewer.page.getByRole("heading", { name: "Integrations", level: 1 })).toBeVisible();
  const origin = new URL(viewer.page.url()).origin;
  await expect(viewer.page.getByTestId("snippet-helper-env")).toContainText(`export BERTH_URL='${origin}'`);
  await expect(viewer.page.getByTestId("snippet-provider-config")).toContainText(`- "${registries.limited.host}"`);
  await expect(viewer.page.getByRole("button", { name: "Create a pull token" })).toHaveCount(0);
  await expect(viewer.page.getByText("ask an admin to create one")).toHaveCount(0);
  await shots(viewer.page, "integrations-viewer");
  await viewer.ctx.close();
});

test("a company without registries gets the empty state, with the way to add one", async ({ page }) => {
  await signInPage(page);
  await page.locator("summary", { hasText: ADMIN.company }).click();
  await page.getByRole("link", { name: "Create company" }).click();
  const name = `Int Empty ${stamp}`;
  await page.getByLabel("Company name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Create company" }).click();
  const slug = `int-empty-${stamp}`;
  await expect(page).toHaveURL(new RegExp(`/${slug}/settings/registries$`));
  await page.goto(`/${slug}/settings/integrations`);
  await expect(page.getByRole("heading", { name: "No active registries yet" })).toBeVisible();
  await expect(page.getByTestId("snippet-cred-helpers")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Create a pull token" })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await shots(page, "integrations-empty");
  await page.getByRole("link", { name: "Go to Container Registries" }).click();
  await expect(page).toHaveURL(new RegExp(`/${slug}/settings/registries$`));
});
