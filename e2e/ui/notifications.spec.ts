import { expect, test } from "@playwright/test";
import { startWebhookReceiver, type WebhookReceiver } from "../../lib/testing/webhook-receiver";
import { shots } from "../support/screenshots";
import { ADMIN, signInPage } from "../support/session";

let receiver: WebhookReceiver;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
test.afterAll(async () => {
  await receiver?.close();
});

test("Notifications: create a webhook, see its secret once, send a test event a local receiver verifies, read the delivery log, delete it", async ({ page }) => {
  await signInPage(page);
  const toasts = page.getByRole("region", { name: "Notifications" });
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Notifications" }).click();
  await expect(page).toHaveURL(new RegExp(`/${ADMIN.slug}/settings/notifications$`));
  await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
  await expect(page.getByText("No webhooks yet.")).toBeVisible();

  // Keyboard only: URL, then the events and the format.
  await page.getByLabel("Webhook URL", { exact: true }).fill(receiver.url);
  await page.getByRole("checkbox", { name: /Registry created/ }).check();
  await page.getByLabel("Format", { exact: true }).selectOption("json");
  await page.getByLabel("Description", { exact: true }).fill("Local receiver");
  await page.getByRole("button", { name: "Create webhook" }).click();

  const secretBox = page.getByTestId("webhook-secret");
  await expect(secretBox).toBeVisible();
  const secret = (await secretBox.textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);
  await expect(toasts.getByText("Webhook created")).toBeVisible();
  const card = page.getByRole("region", { name: receiver.url });
  await expect(card).toBeVisible();
  await expect(card.getByText("registry.created")).toBeVisible();
  await shots(page, "notifications-created");

  // The secret is not in the page once it is reloaded.
  await page.reload();
  await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  await page.getByRole("region", { name: receiver.url }).getByRole("button", { name: "Send test event" }).click();
  await expect(toasts.getByText("Test event delivered")).toBeVisible();
  await expect.poll(() => receiver.received.length).toBe(1);
  const got = receiver.received[0]!;
  expect(receiver.verified(secret, got)).toBe(true);
  expect(got.headers["berth-event"]).toBe("ping");
  expect(JSON.parse(got.body)).toMatchObject({ type: "ping", company: { slug: ADMIN.slug }, registry: null });

  const log = page.getByRole("table", { name: "Delivery log" });
  await expect(log).toBeVisible();
  await expect(log.getByRole("row").nth(1)).toContainText("ping");
  await expect(log.getByRole("row").nth(1)).toContainText("succeeded");
  await expect(log.getByRole("row").nth(1)).toContainText("200");
  await shots(page, "notifications-delivery-log");

  // A receiver that refuses: the log says so.
  receiver.answers.push(500);
  await page.getByRole("region", { name: receiver.url }).getByRole("button", { name: "Send test event" }).click();
  await expect(toasts.getByText("Test event failed")).toBeVisible();
  await expect(log.getByRole("row").nth(1)).toContainText("failed");
  await expect(log.getByRole("row").nth(1)).toContainText("500");

  // Policy: a private address is refused with the field named.
  await page.getByLabel("Webhook URL", { exact: true }).fill("https://10.0.0.1/hook");
  await page.getByRole("button", { name: "Create webhook" }).click();
  await expect(page.getByText(/10\.0\.0\.1 resolves to a private address, which the outbound policy refuses/)).toBeVisible();

  await page.getByRole("region", { name: receiver.url }).getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete webhook" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("No webhooks yet.")).toBeVisible();
});
