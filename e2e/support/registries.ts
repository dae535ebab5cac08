import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { registryFixture } from "@/lib/registries/fixtures";
import { getRegistryType, type RegistryTypeKey } from "@/lib/registries/schemas";

/** Deletes every registry of the company (force), so a suite starts from an empty list. */
export async function clearRegistries(request: APIRequestContext, companyId: string, token: string): Promise<void> {
  const auth = { Authorization: `Bearer ${token}` };
  const list = await (await request.get(`/api/v1/companies/${companyId}/registries?limit=100`, { headers: auth })).json();
  for (const r of list.items as { id: string }[]) {
    const res = await request.delete(`/api/v1/companies/${companyId}/registries/${r.id}?force=true`, { headers: auth });
    expect(res.status()).toBe(204);
  }
}

/**
 * Fills the Add Registry form for a type through its accessible names (labels and roles, as a
 * screen reader announces them), with
 * the type's fixture values merged with `overrides`.
 */
export async function fillRegistryForm(page: Page, type: RegistryTypeKey, name: string, overrides: Record<string, string | boolean> = {}) {
  await page.getByLabel("Registry type", { exact: true }).selectOption(type);
  await page.getByLabel("Name", { exact: true }).fill(name);
  const values: Record<string, unknown> = { ...registryFixture(type).credentials, ...overrides };
  for (const field of getRegistryType(type).fields) {
    const value = values[field.name];
    if (value === undefined || value === null || value === "") continue;
    const control = page.getByLabel(field.label, { exact: true });
    if (field.kind === "checkbox") {
      if (value) await control.check();
    } else if (field.kind === "select") {
      await control.selectOption(String(value));
    } else {
      await control.fill(String(value));
    }
  }
}

export function testResult(page: Page) {
  return page.getByRole("status", { name: "Connection test result" });
}
