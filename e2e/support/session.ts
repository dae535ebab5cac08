import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** The owner the shared e2e server creates on start (headless bootstrap). */
export const ADMIN = { email: "admin@berth.test", password: "admin-password-123", company: "Acme", slug: "acme" } as const;

/** Signs in over plain HTTP with Auth.js' credentials provider, as a script would; the cookie stays in `request`. */
export async function signInApi(request: APIRequestContext, email: string = ADMIN.email, password: string = ADMIN.password): Promise<void> {
  const { csrfToken } = await (await request.get("/api/auth/csrf")).json();
  const res = await request.post("/api/auth/callback/credentials", { form: { csrfToken, email, password }, maxRedirects: 0 });
  expect([200, 302]).toContain(res.status());
  const me = await request.get("/api/v1/me");
  expect(me.status(), "signed in").toBe(200);
}

/**
 * Signs in as the bootstrap owner and creates an API token with the given scopes.
 * Returns the company id and the token (`Authorization: Bearer …`).
 */
export async function bootstrapOwner(
  request: APIRequestContext,
  scopes: string[] = ["registries:read", "registries:write", "registries:pull"],
): Promise<{ companyId: string; companySlug: string; token: string }> {
  await signInApi(request);
  const me = await (await request.get("/api/v1/me")).json();
  const company = me.companies.find((c: { slug: string }) => c.slug === ADMIN.slug);
  const baseURL = new URL((await request.get("/api/health")).url()).origin;
  const res = await request.post(`/api/v1/companies/${company.id}/tokens`, {
    data: { name: `e2e-${Date.now()}`, scopes },
    headers: { Origin: baseURL },
  });
  expect(res.status(), await res.text()).toBe(201);
  const { token } = await res.json();
  return { companyId: company.id, companySlug: company.slug, token };
}

/** Signs a browser page in through the login form. */
export async function signInPage(page: Page, email: string = ADMIN.email, password: string = ADMIN.password): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/settings\//);
}
