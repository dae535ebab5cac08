import { expect, test, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";
import { shots } from "../support/screenshots";
import { ADMIN, signInApi, signInPage } from "../support/session";

/** A browser the sessions list can tell apart from the default one. */
const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/** A new member of the shared company, created through an invite link as a person would. */
async function newMember(browser: Browser, label: string): Promise<{ email: string; password: string }> {
  const email = `${label}-${Date.now()}@berth.test`;
  const password = `${label}-first-password`;
  const owner = await browser.newContext();
  await signInApi(owner.request);
  const me = await (await owner.request.get("/api/v1/me")).json();
  const company = me.companies.find((c: { slug: string }) => c.slug === ADMIN.slug);
  const origin = new URL((await owner.request.get("/api/health")).url()).origin;
  const res = await owner.request.post(`/api/v1/companies/${company.id}/invites`, { data: { email, role: "member" }, headers: { Origin: origin } });
  expect(res.status(), await res.text()).toBe(201);
  const { invitePath } = await res.json();
  await owner.close();

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(invitePath);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/settings\/registries$/);
  // Signing out through the menu ends that session on the server (the tests below count sessions).
  await page.locator("summary", { hasText: ADMIN.company }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await ctx.close();
  return { email, password };
}

/** A browser of its own (a new context), signed in as `user` through the login form. */
async function signedInBrowser(browser: Browser, user: { email: string; password: string }, options?: BrowserContextOptions) {
  const ctx = await browser.newContext(options);
  const page = await ctx.newPage();
  await signInPage(page, user.email, user.password);
  return { ctx, page };
}

async function openAccount(page: Page) {
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
}

test("change your password on /account; other sessions are signed out, the new password signs in", async ({ browser }) => {
  const user = await newMember(browser, "pwchange");
  const { ctx: first, page } = await signedInBrowser(browser, user);
  const { ctx: other, page: otherPage } = await signedInBrowser(browser, user);

  await openAccount(page);
  // A wrong current password is refused next to its field.
  await page.getByLabel("Current password", { exact: true }).fill("not-the-password");
  await page.getByLabel("New password", { exact: true }).fill("a-brand-new-passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The current password is incorrect")).toBeVisible();
  // A common password is refused.
  await page.getByLabel("Current password", { exact: true }).fill(user.password);
  await page.getByLabel("New password", { exact: true }).fill("qwertyuiop123");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText(/too common/)).toBeVisible();

  await page.getByLabel("Current password", { exact: true }).fill(user.password);
  await page.getByLabel("New password", { exact: true }).fill("a-brand-new-passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Password changed." })).toContainText("1 other session was signed out.");

  // This browser stays signed in; the other one is signed out.
  await openAccount(page);
  await otherPage.goto("/account");
  await expect(otherPage).toHaveURL(/\/login/);

  // The old password no longer works; the new one does.
  await otherPage.getByLabel("Email", { exact: true }).fill(user.email);
  await otherPage.getByLabel("Password", { exact: true }).fill(user.password);
  await otherPage.getByRole("button", { name: "Sign in" }).click();
  await expect(otherPage.getByRole("main").getByRole("alert")).toHaveText("The email or password is incorrect.");
  await signInPage(otherPage, user.email, "a-brand-new-passphrase");
  await first.close();
  await other.close();
});

test("sign out everywhere from a second browser signs the first one out", async ({ browser }) => {
  const user = await newMember(browser, "everywhere");
  const { ctx: first, page: firstPage } = await signedInBrowser(browser, user, { userAgent: FIREFOX_LINUX });
  const { ctx: second, page } = await signedInBrowser(browser, user);

  await openAccount(page);
  const sessions = page.getByRole("list", { name: "Active sessions" });
  await expect(sessions.getByRole("listitem")).toHaveCount(2);
  await expect(sessions.getByRole("listitem").first()).toContainText("This session");
  await expect(sessions.getByRole("listitem", { name: /Firefox 128 on Linux/ })).toContainText("Last seen");

  await shots(page, "account");

  // The first browser works until then.
  await openAccount(firstPage);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login/);

  // The first browser's session ended on the server: its next request is signed out.
  await firstPage.reload();
  await expect(firstPage).toHaveURL(/\/login/);
  expect((await first.request.get("/api/v1/me")).status()).toBe(401);
  await first.close();
  await second.close();
});

test("sign out one other session from the list", async ({ browser }) => {
  const user = await newMember(browser, "onesession");
  const { ctx: first } = await signedInBrowser(browser, user, { userAgent: FIREFOX_LINUX });
  const { ctx: second, page } = await signedInBrowser(browser, user);

  await openAccount(page);
  await page.getByRole("list", { name: "Active sessions" }).getByRole("listitem", { name: /Firefox 128 on Linux/ }).getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("list", { name: "Active sessions" }).getByRole("listitem")).toHaveCount(1);
  expect((await first.request.get("/api/v1/me")).status()).toBe(401);
  expect((await second.request.get("/api/v1/me")).status()).toBe(200);
  await first.close();
  await second.close();
});

test("an owner's one-time reset link sets a member's password and signs them out", async ({ browser }) => {
  const user = await newMember(browser, "resetlink");
  const { ctx: memberCtx, page: memberPage } = await signedInBrowser(browser, user);

  const ownerCtx = await browser.newContext();
  const page = await ownerCtx.newPage();
  await signInPage(page);
  await page.goto(`/${ADMIN.slug}/settings/members`);
  await page.getByRole("button", { name: `Reset password of ${user.email}` }).click();
  const link = (await page.getByTestId("reset-link").textContent())!.trim();
  expect(link).toMatch(/\/reset-password\/[A-Za-z0-9_-]{43}$/);
  await ownerCtx.close();

  const visitorCtx = await browser.newContext();
  const visitor = await visitorCtx.newPage();
  await visitor.goto(link);
  await expect(visitor.getByRole("heading", { name: "Set a new password" })).toBeVisible();
  await visitor.getByLabel("New password", { exact: true }).fill("set-by-reset-link-1");
  await visitor.getByRole("button", { name: "Set password" }).click();
  await expect(visitor).toHaveURL(/\/login\?reset=done$/);
  await expect(visitor.getByRole("status")).toHaveText("Your password is set. Sign in with it.");
  await signInPage(visitor, user.email, "set-by-reset-link-1");
  // The link worked once.
  await visitor.goto(link);
  await expect(visitor.getByRole("heading", { name: "Reset link not valid" })).toBeVisible();
  await visitorCtx.close();

  // The member's earlier session ended.
  await memberPage.goto("/account");
  await expect(memberPage).toHaveURL(/\/login/);
  await memberCtx.close();
});
