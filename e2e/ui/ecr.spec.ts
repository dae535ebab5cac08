import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { startFakeEcr, type RunningFakeEcr } from "@/lib/testing/fake-ecr";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createTestCa, type TestCa } from "@/lib/testing/registry-certs";
import { startBerth, type BerthServer } from "../support/server";
import { testResult } from "../support/registries";
import { shots as fullPageShots } from "../support/screenshots";
import { signInPage } from "../support/session";

/**
 * Amazon ECR in the browser, on this machine only: a Berth server of its own whose
 * `AWS_ENDPOINT_URL_ECR` is a fake AWS endpoint (`lib/testing/fake-ecr.ts`, which checks every
 * SigV4 signature) that hands out a token for an htpasswd `docker-registry` over TLS (user `AWS`),
 * both with certificates from a test CA that Berth trusts through `NODE_EXTRA_CA_CERTS`. A person
 * adds an ECR registry without a registry ID, tests it (right and wrong secret), saves it, sees
 * the "any account" placeholder, and tests the saved row, which learns the registry's real host.
 */

const OWNER = { email: "ecr-owner@berth.test", password: "ecr-owner-password-1", company: "ECR Co", slug: "ecr-co" } as const;
const LIST = `/${OWNER.slug}/settings/registries`;
const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const NAME = "Production ECR";
const suffix = Math.random().toString(36).slice(2, 10).toUpperCase().padEnd(8, "X");
/** A key of the fake's one IAM user; the secret is 40 characters, as AWS's are. */
const KEY = { accessKeyId: "AKIAB3RTHUITEST00001", secretAccessKey: `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${suffix}UI` };
const WRONG_SECRET = `wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGKEY00`;
const REGISTRY_PASSWORD = `ecr-ui-registry-password-${suffix}`;
const SECRETS = [KEY.secretAccessKey, WRONG_SECRET, REGISTRY_PASSWORD, Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString("base64")];

let dir: string;
let ca: TestCa;
let registry: RunningRegistry;
/** A second registry, for a second ECR registry of the company (learned URLs are unique per company). */
let second: RunningRegistry;
/** Where the fake sends clients. */
let proxyTarget = () => registry.url;
let fake: RunningFakeEcr;
let berth: BerthServer;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  skipWithoutRegistryTools();
  dir = mkdtempSync(path.join(os.tmpdir(), "berth-e2e-ecr-"));
  ca = createTestCa(dir);
  [registry, second] = await Promise.all([
    startRegistry({ auth: { type: "htpasswd", users: { AWS: REGISTRY_PASSWORD } }, tls: { ca } }),
    startRegistry({ auth: { type: "htpasswd", users: { AWS: REGISTRY_PASSWORD } }, tls: { ca } }),
  ]);
  fake = await startFakeEcr({ ca, keys: [{ ...KEY, account: ACCOUNT }], region: REGION, password: REGISTRY_PASSWORD, proxyEndpoint: () => proxyTarget() });
  berth = await startBerth({
    AWS_ENDPOINT_URL_ECR: fake.url,
    NODE_EXTRA_CA_CERTS: ca.certPath,
    BERTH_ADMIN_EMAIL: OWNER.email,
    BERTH_ADMIN_PASSWORD: OWNER.password,
    BERTH_COMPANY_NAME: OWNER.company,
  });
});

test.afterAll(async () => {
  await berth?.stop();
  await Promise.all([fake?.stop(), registry?.stop(), second?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A signed-in page on this spec's server; every API answer it gets is kept, to look for secrets in. */
async function ownerPage(browser: Browser): Promise<{ page: Page; answers: () => Promise<string[]>; close: () => Promise<void> }> {
  const context = await browser.newContext({ baseURL: berth.url });
  const page = await context.newPage();
  const bodies: Promise<string>[] = [];
  page.on("response", (res) => {
    if (new URL(res.url()).pathname.startsWith("/api/")) bodies.push(res.text().catch(() => ""));
  });
  const answers = () => Promise.all(bodies);
  await signInPage(page, OWNER.email, OWNER.password);
  return { page, answers, close: () => context.close() };
}

/** Full-page screenshots at 1280 and 375 px (copied to docs/screenshots by hand), without the toasts. */
async function shots(page: Page, name: string) {
  // A toast is fixed to the viewport: in a full-page picture it would float over the middle.
  for (const dismiss of await page.getByRole("button", { name: "Dismiss notification" }).all()) await dismiss.click();
  await expect(page.getByRole("button", { name: "Dismiss notification" })).toHaveCount(0);
  await fullPageShots(page, name);
}

function row(page: Page, name: string = NAME) {
  return page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
}

async function addEcr(page: Page, name: string) {
  await page.goto(LIST);
  await page.getByRole("link", { name: "Add Registry" }).first().click();
  await page.getByLabel("Registry type", { exact: true }).selectOption({ label: "Amazon ECR" });
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Access key ID", { exact: true }).fill(KEY.accessKeyId);
  await page.getByLabel("Secret access key", { exact: true }).fill(KEY.secretAccessKey);
  await page.getByLabel("Region", { exact: true }).fill(REGION);
}

function expectNoSecret(text: string, where: string) {
  for (const secret of SECRETS) expect(text, `${where} holds a secret`).not.toContain(secret);
}

test("add an ECR registry: Test Connection signs in to AWS, a wrong secret fails, the saved row learns its host", async ({ browser }) => {
  test.setTimeout(120_000);
  const { page, answers, close } = await ownerPage(browser);
  await expect(page).toHaveURL(new RegExp(`${LIST}$`));

  await addEcr(page, NAME);

  // Right key: AWS's token signs in to the registry AWS named.
  const before = fake.requests.length;
  await page.getByRole("button", { name: "Test Connection" }).click();
  const result = testResult(page);
  await expect(result).toHaveText(/^Connection successful/);
  await expect(result).toContainText(`AWS accepted the access key (127.0.0.1:${fake.port})`);
  await expect(result).toContainText(`ECR token for ${registry.host}, valid until`);
  await expect(result).not.toContainText("(cached)");
  expect(fake.requests.slice(before)).toEqual([expect.objectContaining({ accessKeyId: KEY.accessKeyId, status: 200 })]);
  // The AWS sign-in is a step like the others, before the registry's own.
  await page.getByText(/^Steps \(\d+\)$/).click();
  const steps = page.locator("details ol > li");
  await expect(steps.filter({ hasText: "AWS sign-in" })).toContainText(`GetAuthorizationToken at 127.0.0.1:${fake.port}`);
  await expect(steps.filter({ hasText: "AWS sign-in" })).toContainText(": passed");
  const names = await steps.locator("span.font-medium").allTextContents();
  expect(names.slice(0, 3)).toEqual(["Input checks", "AWS sign-in", "DNS lookup"]);
  expect(names.at(-1)).toBe("Sign-in");
  // Its expiry reads in local time there too, not as the server's ISO instant.
  await expect(steps.filter({ hasText: "AWS sign-in" })).toContainText(`for ${registry.host}, valid until`);
  await expect(steps.filter({ hasText: "AWS sign-in" })).not.toContainText(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  await shots(page, "ecr-form-success");

  // Wrong secret: AWS refuses the signature, and the result says which value is wrong.
  await page.getByLabel("Secret access key", { exact: true }).fill(WRONG_SECRET);
  await page.getByRole("button", { name: "Test Connection" }).click();
  await expect(result).toHaveText(/^Connection failed:/);
  await expect(result).toContainText("the secret access key does not match the access key ID");
  await expect(result).toContainText("Failed at: AWS sign-in");
  await expect(result).not.toContainText("ECR token for");

  // Save with the right secret: the list shows the placeholder as words, not as an address.
  await page.getByLabel("Secret access key", { exact: true }).fill(KEY.secretAccessKey);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`${LIST}$`));
  await expect(row(page)).toContainText(`Any account · ${REGION}`);
  await expect(row(page)).toContainText("The registry's address is learned at the first test");
  await expect(row(page)).not.toContainText("dkr.ecr");
  await shots(page, "ecr-list-placeholder");
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // Its page says the same in its header.
  await row(page).getByRole("link", { name: NAME, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Edit ${NAME}`);
  await expect(page.getByRole("main")).toContainText(`Amazon ECR credentials for Any account · ${REGION} (the registry's address is learned at the first test)`);
  await expect(page.getByRole("main")).not.toContainText("dkr.ecr");
  await shots(page, "ecr-edit-placeholder");
  const editPath = new URL(page.url()).pathname;
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`${LIST}$`));

  // The row's Test: success, and the row now shows the host AWS returned.
  await row(page).getByRole("button", { name: "Test" }).click();
  await expect(row(page).getByRole("button", { name: "Connected" })).toBeVisible();
  await expect(row(page)).toContainText(registry.host);
  await expect(row(page)).not.toContainText("Any account");
  await page.reload();
  await expect(row(page)).toContainText(registry.host);
  await shots(page, "ecr-list-learned");

  // The edit page's header has the learned host; a second test uses the cached token.
  await page.goto(editPath);
  await expect(page.getByRole("main")).toContainText(`Amazon ECR credentials for ${registry.host}`);
  const cachedBefore = fake.requests.length;
  await page.getByRole("button", { name: "Test Connection" }).click();
  await expect(result).toHaveText(/^Connection successful/);
  await expect(result).toContainText(`ECR token for ${registry.host}, valid until`);
  await expect(result).toContainText("(cached)");
  expect(fake.requests.length).toBe(cachedBefore);

  // No page's HTML, and no API answer, ever held the secret access key or the registry password.
  for (const url of [LIST, `${LIST}/new`, editPath]) expectNoSecret(await (await page.request.get(url)).text(), url);
  expectNoSecret(await page.content(), "the edit page's DOM");
  const bodies = await answers();
  expect(bodies.filter((b) => b.includes("aws-auth")).length, "the test results were read").toBeGreaterThanOrEqual(4);
  for (const body of bodies) expectNoSecret(body, "an API answer");
  await close();
});

test("the first test on the registry's own page learns its host, and Save still saves", async ({ browser }) => {
  test.setTimeout(120_000);
  const name = "Staging ECR";
  proxyTarget = () => second.url;
  const { page, close } = await ownerPage(browser);
  await addEcr(page, name);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`${LIST}$`));
  await expect(row(page, name)).toContainText(`Any account · ${REGION}`);
  await row(page, name).getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Edit ${name}`);

  // The delete dialog names it the same way (Escape closes it).
  await page.getByRole("region", { name: "Delete this registry" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("dialog")).toContainText(`Berth forgets the credentials for Any account · ${REGION} (the registry's address is learned at the first test) at once.`);
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toBeHidden();

  // Test Connection with the saved key: the exchange tells the registry its host, which raises its version.
  await page.getByRole("button", { name: "Test Connection" }).click();
  await expect(testResult(page)).toHaveText(/^Connection successful/);
  await expect(testResult(page)).toContainText(`Berth saved the registry's address that AWS returned: ${second.host}.`);
  // Saving afterwards is not refused as someone else's change.
  await page.getByLabel("Name", { exact: true }).fill(`${name} (renamed)`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`${LIST}$`));
  await expect(row(page, `${name} (renamed)`)).toContainText(second.host);
  await expect(row(page, `${name} (renamed)`).getByRole("button", { name: "Connected" })).toBeVisible();
  await close();
});
