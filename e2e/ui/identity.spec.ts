import { expect, test } from "@playwright/test";
import { startBerth, type BerthServer } from "../support/server";

/**
 * The first-run journey on a fresh server of its own (no BERTH_ADMIN_*): setup with the code from
 * the log → sign out → sign in → second company and switch → invite a member and accept as them →
 * an API token used with fetch, revoked, then refused.
 */
let server: BerthServer;
test.beforeAll(async () => {
  server = await startBerth();
});
test.afterAll(async () => {
  await server?.stop();
});

test("first run, companies, invites and API tokens", async ({ browser }) => {
  test.setTimeout(120_000);
  const owner = await browser.newContext({ baseURL: server.url });
  const page = await owner.newPage();

  // Every page leads to /setup while no user exists; without the code it asks for it.
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByLabel("Setup code")).toBeVisible();
  const code = /\/setup\?code=([A-Za-z0-9_-]+)/.exec(server.output())?.[1];
  expect(code, "the server logs a one-time setup link").toBeTruthy();

  await page.goto(`/setup?code=${code}`);
  await page.getByLabel("Email", { exact: true }).fill("owner@example.test");
  await page.getByLabel("Password", { exact: true }).fill("owner-password-1");
  await page.getByLabel("Company name", { exact: true }).fill("Acme Corp");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/acme-corp\/settings\/registries$/);
  await expect(page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Container Registries" })).toHaveAttribute("aria-current", "page");

  // Setup is gone for good.
  expect((await page.request.get("/setup")).status()).toBe(404);

  // Sign out, then sign in (a wrong password first).
  await page.locator("summary", { hasText: "Acme Corp" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email", { exact: true }).fill("owner@example.test");
  await page.getByLabel("Password", { exact: true }).fill("wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("The email or password is incorrect.");
  await page.getByLabel("Password", { exact: true }).fill("owner-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/acme-corp\/settings\/registries$/);

  // A second company, then switch back through the menu.
  await page.locator("summary", { hasText: "Acme Corp" }).click();
  await page.getByRole("link", { name: "Create company" }).click();
  await page.getByLabel("Company name", { exact: true }).fill("Beta Labs");
  await page.getByRole("button", { name: "Create company" }).click();
  await expect(page).toHaveURL(/\/beta-labs\/settings\/registries$/);
  await page.locator("summary", { hasText: "Beta Labs" }).click();
  await page.getByRole("navigation", { name: "Companies" }).getByRole("link", { name: /Acme Corp/ }).click();
  await expect(page).toHaveURL(/\/acme-corp\/settings\/registries$/);

  // Invite a member; the link is shown once.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Members" }).click();
  await page.getByLabel("Email", { exact: true }).fill("member@example.test");
  await page.getByLabel("Role", { exact: true }).selectOption("member");
  await page.getByRole("button", { name: "Invite" }).click();
  const link = (await page.getByTestId("invite-link").textContent())!.trim();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);

  // The invitee creates an account from the link and lands in the company.
  const invitee = await browser.newContext({ baseURL: server.url });
  const ipage = await invitee.newPage();
  await ipage.goto(link);
  await expect(ipage.getByRole("heading", { name: "Join Acme Corp" })).toBeVisible();
  await ipage.getByLabel("Password", { exact: true }).fill("member-password-1");
  await ipage.getByRole("button", { name: "Create account and join" }).click();
  await expect(ipage).toHaveURL(/\/acme-corp\/settings\/registries$/);
  // The link works once.
  await ipage.goto(link);
  await expect(ipage.getByText("This invitation is invalid, has already been used, or has expired.")).toBeVisible();
  await invitee.close();

  await page.reload();
  await expect(page.getByRole("table").getByText("member@example.test", { exact: true })).toBeVisible();

  // An API token: create, use with fetch, revoke, refused.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API tokens" }).click();
  await page.getByLabel("Token name").fill("e2e-script");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  expect(token).toMatch(/^brt_[A-Za-z0-9_-]{43}$/);
  const me = await page.evaluate(async (t) => {
    const r = await fetch("/api/v1/me", { headers: { Authorization: `Bearer ${t}` }, credentials: "omit" });
    return { status: r.status, body: await r.json() };
  }, token);
  expect(me.status).toBe(200);
  expect(me.body.token.name).toBe("e2e-script");
  expect(me.body.companies.map((c: { slug: string }) => c.slug)).toEqual(["acme-corp"]);

  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Revoke e2e-script" }).click();
  await expect(page.getByText("Revoked")).toBeVisible();
  const after = await page.evaluate(async (t) => (await fetch("/api/v1/me", { headers: { Authorization: `Bearer ${t}` }, credentials: "omit" })).status, token);
  expect(after).toBe(401);

  // The audit log recorded it all, without the token.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Audit log" }).click();
  for (const action of ["company.created", "auth.signed_in", "auth.sign_in_failed", "member.invited", "member.joined", "token.created", "token.revoked"]) {
    await expect(page.getByRole("cell", { name: action, exact: true }).first()).toBeVisible();
  }
  expect(await page.content()).not.toContain(token);
  await owner.close();
});
