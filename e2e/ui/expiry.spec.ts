import { expect, test } from "@playwright/test";
import { shots } from "../support/screenshots";
import { ADMIN, bootstrapOwner, signInPage } from "../support/session";

test("the registries page counts expiring and expired credentials and expiring API tokens; the navigation shows the count", async ({ page, request }) => {
  const { companyId, token } = await bootstrapOwner(request);
  const auth = { Authorization: `Bearer ${token}` };
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
  const made: string[] = [];
  for (const [name, expiresAt] of [["Expiring soon", inDays(5)], ["Already expired", inDays(-2)], ["Far away", inDays(90)]] as const) {
    const res = await request.post(`/api/v1/companies/${companyId}/registries`, {
      headers: auth,
      data: { name: `${name} ${Date.now()}`, type: "custom", expiresAt, credentials: { url: `${name.replace(/ /g, "-").toLowerCase()}-${Date.now()}.example.com`, token: "an-expiry-e2e-token-1" } },
    });
    expect(res.status(), await res.text()).toBe(201);
    made.push((await res.json()).id);
  }
  // An API token that expires within 14 days.
  const baseURL = new URL((await request.get("/api/health")).url()).origin;
  const tokenRes = await request.post(`/api/v1/companies/${companyId}/tokens`, { data: { name: "short-lived", scopes: ["registries:read"], expiresAt: inDays(3) }, headers: { Origin: baseURL } });
  expect(tokenRes.status()).toBe(201);
  try {
    await signInPage(page);
    const banner = page.getByTestId("expiry-banner");
    await expect(banner).toContainText("1 registry has expired credentials");
    await expect(banner).toContainText("1 registry's credentials expire within 14 days");
    await expect(banner.getByRole("link", { name: /API tokens? expires? within 14 days/ })).toBeVisible();
    const nav = page.getByRole("navigation", { name: "Settings" });
    await expect(nav.getByRole("link", { name: /^Container Registries \d+ expiring or expired$/ })).toBeVisible();
    await shots(page, "registries-expiry-banner");

    // The registry's page says when it expires, and its form carries the date.
    await page.goto(`/${ADMIN.slug}/settings/registries/${made[1]}`);
    await expect(page.getByRole("note").filter({ hasText: "The token expired" })).toBeVisible();
    await expect(page.getByLabel("Token expires on", { exact: true })).not.toHaveValue("");
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: /Container Registries/ }).click();
    await page.getByTestId("expiry-banner").getByRole("link", { name: /API token/ }).click();
    await expect(page).toHaveURL(new RegExp(`/${ADMIN.slug}/settings/tokens$`));
  } finally {
    for (const id of made) await request.delete(`/api/v1/companies/${companyId}/registries/${id}?force=true`, { headers: auth });
    const { id: tokenId } = await tokenRes.json();
    await request.delete(`/api/v1/companies/${companyId}/tokens/${tokenId}`, { headers: { Origin: baseURL } });
  }
});
