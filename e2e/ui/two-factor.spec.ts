import { expect, test, type Page } from "@playwright/test";
import { totpCodeAt } from "../../lib/auth/totp";
import { shots } from "../support/screenshots";
import { startBerth, type BerthServer } from "../support/server";

/**
 * Two-factor as a person uses it, on a server of its own (the shared one's owner signs in with a
 * password alone): enrol on /account with the manual key, sign out, sign in with a code computed
 * here from that key, then with a recovery code (once); the company policy on the Security page.
 */
const OWNER = { email: "tfa-owner@berth.test", password: "tfa-owner-password-1", company: "Two Factor Co", slug: "two-factor-co" };

let server: BerthServer;
test.beforeAll(async () => {
  server = await startBerth({ BERTH_ADMIN_EMAIL: OWNER.email, BERTH_ADMIN_PASSWORD: OWNER.password, BERTH_COMPANY_NAME: OWNER.company });
});
test.afterAll(async () => {
  await server?.stop();
});

async function signInWithPassword(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
  await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signOut(page: Page) {
  await page.locator("header summary").click();
  await page.locator("header").getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
}

test("enrol, sign in with a TOTP code, then with a recovery code once; require it for the company", async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();

  await signInWithPassword(page);
  await expect(page).toHaveURL(new RegExp(`/${OWNER.slug}/settings/registries$`));

  // Enrol on /account, reached from the account menu.
  await page.locator("header summary").click();
  await page.getByRole("link", { name: "Account and security" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByRole("button", { name: "Set up two-factor" }).click();
  const key = page.getByLabel("Manual key");
  await expect(key).toBeVisible();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await key.textContent())!.replace(/\s+/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await shots(page, "two-factor-enrol");

  // A wrong code is refused; the code from the key turns it on and shows ten recovery codes once.
  await page.getByLabel("Authentication code", { exact: true }).fill(totpCodeAt(secret, Date.now()) === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByText("That code is not right").first()).toBeVisible();
  await page.getByLabel("Authentication code", { exact: true }).fill(totpCodeAt(secret, Date.now()));
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  const list = page.getByRole("list", { name: "Recovery codes" });
  await expect(list.getByRole("listitem")).toHaveCount(10);
  const codes = (await list.getByRole("listitem").allTextContents()).map((c) => c.trim());
  await shots(page, "two-factor-recovery-codes");
  await page.getByRole("button", { name: "I have saved my recovery codes" }).click();
  await expect(page.getByText("10 of 10 recovery codes left")).toBeVisible();
  expect(await page.content()).not.toContain(codes[0]!);

  // Sign out; the password alone now leads to the code step, and no session yet.
  await signOut(page);
  await signInWithPassword(page);
  const codeInput = page.getByLabel("Authentication code", { exact: true });
  await expect(codeInput).toBeVisible();
  await expect(page.getByRole("button", { name: "Verify" })).toBeVisible();
  expect((await page.request.get("/api/v1/me")).status()).toBe(401);
  await shots(page, "login-code-step");

  // The next step's code (the enrolment used this step's; codes of ±1 step are accepted).
  await codeInput.fill(totpCodeAt(secret, Date.now() + 30_000));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(new RegExp(`/${OWNER.slug}/settings/registries$`));
  expect((await page.request.get("/api/v1/me")).status()).toBe(200);

  // A recovery code signs in once.
  await signOut(page);
  await signInWithPassword(page);
  await page.getByLabel("Authentication code", { exact: true }).fill(codes[0]!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(new RegExp(`/${OWNER.slug}/settings/registries$`));
  await signOut(page);
  await signInWithPassword(page);
  await page.getByLabel("Authentication code", { exact: true }).fill(codes[0]!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("That code is not right, or it was already used.");
  await page.getByLabel("Authentication code", { exact: true }).fill(codes[1]!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(new RegExp(`/${OWNER.slug}/settings/registries$`));

  // The owner requires two-factor for the company on the Security page.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Security" }).click();
  const toggle = page.getByRole("switch", { name: "Require two-factor authentication" });
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await expect(page.getByText("tokens created before keep working until they are revoked")).toBeVisible();
  await shots(page, "security-settings");

  // Audit: the events are there, without codes or the secret.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Audit log" }).click();
  for (const action of ["two_factor.enabled", "auth.recovery_code_used", "auth.two_factor_failed", "company.two_factor_policy_changed"]) {
    await expect(page.getByRole("cell", { name: action, exact: true }).first()).toBeVisible();
  }
  const html = await page.content();
  expect(html).not.toContain(secret);
  for (const c of codes) expect(html).not.toContain(c);

  // Turning it off (password and a recovery code) under the policy leaves the owner blocked:
  // every company page says so and links to /account; the API answers two-factor-required.
  await page.goto("/account");
  const twoFactor = page.getByRole("region", { name: "Two-factor authentication" });
  await twoFactor.getByLabel("Password", { exact: true }).fill(OWNER.password);
  await twoFactor.getByLabel("Authentication code", { exact: true }).fill(codes[2]!);
  await page.getByRole("button", { name: "Turn off two-factor" }).click();
  await expect(page.getByRole("button", { name: "Set up two-factor" })).toBeVisible();
  await expect(page.getByRole("note")).toContainText(`${OWNER.company} requires two-factor authentication`);
  await page.goto(`/${OWNER.slug}/settings/members`);
  await expect(page).toHaveURL(new RegExp(`/${OWNER.slug}/two-factor-required$`));
  await expect(page.getByRole("heading", { name: `${OWNER.company} requires two-factor authentication` })).toBeVisible();
  await shots(page, "two-factor-required");
  const me = await (await page.request.get("/api/v1/me")).json();
  const api = await page.request.get(`/api/v1/companies/${me.companies[0].id}/registries`);
  expect(api.status()).toBe(403);
  expect((await api.json()).type).toBe("https://berth.dev/problems/two-factor-required");
  await page.getByRole("link", { name: "Set up two-factor on your account" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await context.close();
});
