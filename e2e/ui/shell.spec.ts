import { expect, test } from "@playwright/test";
import { ADMIN, signInPage } from "../support/session";

test("the settings shell renders from the server with its four sections", async ({ page }) => {
  const unauth = await page.request.get("/acme/settings/registries", { maxRedirects: 0 });
  expect(unauth.status()).toBe(307);
  expect(unauth.headers()["location"]).toContain("/login");

  await signInPage(page);
  await expect(page).toHaveURL(new RegExp(`/${ADMIN.slug}/settings/registries$`));
  const nav = page.getByRole("navigation", { name: "Settings" });
  for (const name of ["Container Registries", "API tokens", "Members", "Audit log"]) {
    await expect(nav.getByRole("link", { name })).toBeVisible();
  }
  // Server-rendered: the HTML already holds the navigation.
  const html = await (await page.request.get(`/${ADMIN.slug}/settings/members`)).text();
  expect(html).toContain("Audit log");
  expect(html).toContain(ADMIN.email);

  // Another company's pages are "not found", not "forbidden".
  await page.goto("/some-other-company/settings/registries");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
