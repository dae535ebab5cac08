import http from "node:http";
import { expect, test, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { recordFigures, reliabilityMode } from "../support/figures";
import { startBerth, type BerthServer } from "../support/server";

/**
 * Suite 7, web hardening, on the production build in Chromium:
 * - every page loads under the Content-Security-Policy with 0 violations (`securitypolicyviolation`
 *   events and CSP console errors), every <script> of its HTML carries that answer's nonce, and
 *   its scripts run (the forms, the QR code and the API reference only appear with JavaScript);
 * - the headers on every kind of answer (page, JSON, problem+json, static chunk, download), HSTS
 *   only behind a trusted proxy that says https;
 * - Auth.js' own endpoints and server actions refuse a cross-origin POST, with no effect.
 * The route handlers' table (every export × Origin × body) is lib/api-route.hardening.test.ts.
 */

const OWNER = { email: "hardening-owner@berth.test", password: "hardening-owner-password-1", company: "Hardening Co", slug: "hardening-co" };
const FOREIGN = "http://attacker.invalid";
// The server trusts this loopback address as its TLS-terminating proxy; 127.0.0.1 is a plain client.
const PROXY_ADDRESS = "127.0.0.2";

let empty: BerthServer; // no user yet: the setup pages
let server: BerthServer;

test.beforeAll(async () => {
  [empty, server] = await Promise.all([
    startBerth(),
    startBerth({ BERTH_ADMIN_EMAIL: OWNER.email, BERTH_ADMIN_PASSWORD: OWNER.password, BERTH_COMPANY_NAME: OWNER.company, BERTH_TRUSTED_PROXIES: `${PROXY_ADDRESS}/32` }),
  ]);
});
test.afterAll(async () => {
  await Promise.all([empty?.stop(), server?.stop()]);
});

interface PageResult {
  page: string;
  status: number;
  scripts: number;
  scriptsWithoutNonce: number;
  violations: string[];
  errors: string[];
}
const results: PageResult[] = [];

/** Records CSP violations of every page of the context, as the browser reports them. */
async function watch(context: BrowserContext, page: Page) {
  // Injected by the browser's debugging protocol, which CSP does not govern.
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile}:${e.lineNumber}`));
  });
  const consoleCsp: string[] = [];
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to (execute|load|apply|connect|frame)/i.test(m.text())) consoleCsp.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { consoleCsp, errors };
}

/** Loads a page, waits for it to settle and for its proof of life, then checks its HTML and CSP. */
async function visit(page: Page, request: APIRequestContext, path: string, watched: { consoleCsp: string[]; errors: string[] }, alive: () => Promise<void>) {
  watched.consoleCsp.length = 0;
  watched.errors.length = 0;
  const res = await page.goto(path);
  await page.waitForLoadState("networkidle");
  await alive();
  const violations = [...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)), ...watched.consoleCsp];
  // The same page's HTML as served: every script tag has this answer's nonce.
  const raw = await request.get(path, { maxRedirects: 0 });
  const nonce = /'nonce-([^']+)'/.exec(raw.headers()["content-security-policy"] ?? "")?.[1];
  const tags = (await raw.text()).match(/<script\b[^>]*>/g) ?? [];
  const withoutNonce = tags.filter((t) => !nonce || !t.includes(`nonce="${nonce}"`));
  results.push({ page: path, status: res?.status() ?? 0, scripts: tags.length, scriptsWithoutNonce: withoutNonce.length, violations, errors: [...watched.errors] });
}

test("every page loads under the CSP with 0 violations, and its scripts run", async ({ browser }) => {
  test.setTimeout(10 * 60_000);
  try {
    // First run: the setup pages, without and with the code, then the first owner made through the form.
    {
      const context = await browser.newContext({ baseURL: empty.url });
      const page = await context.newPage();
      const watched = await watch(context, page);
      const code = /\/setup\?code=([A-Za-z0-9_-]+)/.exec(empty.output())?.[1];
      expect(code, "the setup link is logged").toBeTruthy();
      await visit(page, context.request, "/setup", watched, () => expect(page.getByRole("heading", { name: "Welcome to Berth" })).toBeVisible());
      await visit(page, context.request, `/setup?code=${code}`, watched, () => expect(page.getByLabel("Company name")).toBeVisible());
      await page.getByLabel("Email", { exact: true }).fill("first-owner@berth.test");
      await page.getByLabel("Password", { exact: true }).fill("first-owner-password-1");
      await page.getByLabel("Company name").fill("First Co");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL(/\/first-co\/settings\/registries/);
      await context.close();
    }

    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    const watched = await watch(context, page);
    const request = context.request;
    await visit(page, request, "/login", watched, () => expect(page.getByRole("button", { name: "Sign in" })).toBeVisible());
    await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
    await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(new RegExp(`/${OWNER.slug}/settings/registries$`));

    // Things for the detail pages to show: a registry (loopback only), an invite.
    const me = await (await request.get("/api/v1/me")).json();
    const companyId = me.companies[0].id as string;
    const created = await request.post(`/api/v1/companies/${companyId}/registries`, {
      headers: { Origin: server.url },
      data: { name: "CSP registry", type: "custom", credentials: { url: "127.0.0.1:9", username: "deploy", password: "csp-password-1" } },
    });
    expect(created.status(), await created.text()).toBe(201);
    const registryId = (await created.json()).id as string;
    const invite = await request.post(`/api/v1/companies/${companyId}/invites`, { headers: { Origin: server.url }, data: { email: "invited@berth.test", role: "viewer" } });
    expect(invite.status(), await invite.text()).toBe(201);
    const invitePath = (await invite.json()).invitePath as string;

    const s = `/${OWNER.slug}/settings`;
    const main = () => expect(page.locator("main").first()).toBeVisible();
    const tour: [string, () => Promise<void>][] = [
      [`${s}/registries`, () => expect(page.getByText("CSP registry").first()).toBeVisible()],
      [`${s}/registries/new`, main],
      [`${s}/registries/${registryId}`, () => expect(page.getByRole("heading", { name: "CSP registry" }).first()).toBeVisible()],
      [`${s}/members`, main],
      [`${s}/tokens`, main],
      [`${s}/security`, main],
      [`${s}/audit`, main],
      [`${s}/notifications`, main],
      [`${s}/integrations`, main],
      [`/${OWNER.slug}/two-factor-required`, async () => {}],
      ["/account", () => expect(page.getByRole("button", { name: "Set up two-factor" })).toBeVisible()],
      ["/companies/new", main],
      [invitePath, async () => {}],
      ["/reset-password/not-a-real-token", async () => {}],
      ["/no-such-page", () => expect(page.getByText(/not found/i).first()).toBeVisible()],
      // The API reference renders in the browser only (Scalar): the document's operations appear.
      ["/docs/api", () => expect(page.getByText(/registries/i).first()).toBeVisible({ timeout: 30_000 })],
      ["/", async () => {}],
    ];
    for (const [path, alive] of tour) await visit(page, request, path, watched, alive);

    // Two-factor enrolment: a server action, then the QR code (an image) and the manual key.
    watched.consoleCsp.length = 0;
    await page.goto("/account");
    await page.getByRole("button", { name: "Set up two-factor" }).click();
    await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
    await expect(page.getByLabel("Manual key")).toBeVisible();
    const qrViolations = [...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)), ...watched.consoleCsp];
    results.push({ page: "/account (two-factor QR code)", status: 200, scripts: 0, scriptsWithoutNonce: 0, violations: qrViolations, errors: [...watched.errors] });

    // The browser's own API call (fetch, JSON, its Origin and Sec-Fetch-Site) passes the same-origin
    // rules: Test Connection on the saved registry (loopback, nothing listens: a failed test).
    watched.consoleCsp.length = 0;
    await page.goto(`${s}/registries/${registryId}`);
    const [tested] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && /\/registries\/[^?]*(test|validate)$/.test(r.url()), { timeout: 60_000 }),
      page.getByRole("button", { name: "Test Connection", exact: true }).click({ timeout: 15_000 }),
    ]);
    expect(tested.status()).toBe(200);
    const fetchViolations = [...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)), ...watched.consoleCsp];
    results.push({ page: "registry detail (Test connection, a fetch)", status: tested.status(), scripts: 0, scriptsWithoutNonce: 0, violations: fetchViolations, errors: [...watched.errors] });
    await context.close();
  } finally {
    const violations = results.reduce((n, r) => n + r.violations.length, 0);
    recordFigures({
      suite: "hardening",
      part: "csp",
      title: "every page in Chromium under the nonce CSP (production build)",
      passed: results.length > 0 && violations === 0 && results.every((r) => r.scriptsWithoutNonce === 0 && r.errors.length === 0),
      figures: {
        pagesChecked: results.length,
        cspViolations: violations,
        scriptTags: results.reduce((n, r) => n + r.scripts, 0),
        scriptTagsWithoutNonce: results.reduce((n, r) => n + r.scriptsWithoutNonce, 0),
        pageErrors: results.reduce((n, r) => n + r.errors.length, 0),
      },
      tables: [
        {
          title: "pages",
          columns: ["page", "status", "script tags", "without nonce", "CSP violations"],
          rows: results.map((r) => [r.page.replace(/[0-9a-f-]{36}/g, "{id}").replace(/invite\/[^/]+$/, "invite/{token}"), r.status, r.scripts, r.scriptsWithoutNonce, r.violations.length]),
        },
      ],
      notes: results.flatMap((r) => [...r.violations, ...r.errors].map((v) => `${r.page}: ${v}`)).slice(0, 50),
    });
  }
  for (const r of results) {
    expect.soft(r.violations, `${r.page}: CSP violations`).toEqual([]);
    expect.soft(r.errors, `${r.page}: page errors`).toEqual([]);
    expect.soft(r.scriptsWithoutNonce, `${r.page}: script tags without the nonce`).toBe(0);
  }
  expect(results.length).toBeGreaterThanOrEqual(20);
});

/** One request over plain http from the given loopback address (the server sees it as the TCP peer). */
function rawGet(url: string, headers: Record<string, string>, localAddress?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, localAddress }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
  });
}

test("security headers on every kind of answer; HSTS only from the trusted proxy's https", async ({ request }) => {
  const base = server.url;
  const html = await (await request.get(`${base}/login`)).text();
  const chunk = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
  expect(chunk, "a static chunk in the login page").toBeTruthy();
  const kinds: Record<string, string> = {
    page: "/login",
    json: "/api/health",
    problem: `/api/v1/companies/${crypto.randomUUID()}/registries`,
    openapi: "/api/v1/openapi.json",
    download: "/downloads/docker-credential-berth",
    notFoundPage: "/no-such-page",
    staticChunk: chunk!,
    favicon: "/favicon.svg",
  };
  const rows: (string | number)[][] = [];
  let missing = 0;
  for (const [kind, path] of Object.entries(kinds)) {
    const res = await rawGet(base + path, { "x-forwarded-proto": "https" });
    const h = res.headers;
    const csp = String(h["content-security-policy"] ?? "");
    const checks = {
      nosniff: h["x-content-type-options"] === "nosniff",
      referrer: !!h["referrer-policy"],
      xfo: h["x-frame-options"] === "DENY",
      frameAncestors: /frame-ancestors 'none'/.test(csp),
      noPoweredBy: h["x-powered-by"] === undefined,
      // A client's own X-Forwarded-Proto (not from the trusted proxy) does not bring HSTS.
      noHsts: h["strict-transport-security"] === undefined,
    };
    for (const [name, ok] of Object.entries(checks)) {
      expect.soft(ok, `${kind} ${path}: ${name}`).toBe(true);
      if (!ok) missing++;
    }
    if (kind === "page") expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    if (kind !== "page" && kind !== "notFoundPage" && kind !== "favicon") expect(csp, kind).toContain("default-src 'none'");
    rows.push([kind, res.status, Object.values(checks).filter(Boolean).length, Object.keys(checks).length]);
  }
  const viaProxy = await rawGet(`${base}/login`, { "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.7" }, PROXY_ADDRESS);
  const viaProxyHttp = await rawGet(`${base}/login`, { "x-forwarded-proto": "http" }, PROXY_ADDRESS);
  const viaProxyApi = await rawGet(`${base}/api/health`, { "x-forwarded-proto": "https" }, PROXY_ADDRESS);
  recordFigures({
    suite: "hardening",
    part: "headers",
    title: "security headers on each kind of answer, and HSTS",
    passed: missing === 0 && viaProxy.headers["strict-transport-security"] !== undefined && viaProxyHttp.headers["strict-transport-security"] === undefined,
    figures: { answerKinds: rows.length, headerChecks: rows.length * 6, missing, hstsViaTrustedHttps: viaProxy.headers["strict-transport-security"] ? 1 : 0 },
    tables: [{ title: "answers", columns: ["kind", "status", "checks passed", "checks"], rows }],
  });
  expect(viaProxy.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  expect(viaProxyApi.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  expect(viaProxyHttp.headers["strict-transport-security"]).toBeUndefined();
  expect(missing).toBe(0);
});

test("Auth.js' endpoints and server actions refuse a cross-origin POST, with no effect", async ({ playwright, browser }) => {
  const refusals: (string | number)[][] = [];
  const note = (what: string, status: number, refused: boolean) => refusals.push([what, status, refused ? "refused" : "accepted"]);
  const api = await playwright.request.newContext({ baseURL: server.url });
  try {
    // Sign-in with a valid CSRF pair and the right password, but from another site's page: 403, no session.
    const csrf = async () => ((await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
    const form = async () => ({ csrfToken: await csrf(), email: OWNER.email, password: OWNER.password });
    for (const origin of [FOREIGN, "null"]) {
      const res = await api.post("/api/auth/callback/credentials", { form: await form(), headers: { Origin: origin }, maxRedirects: 0 });
      note(`sign-in, Origin ${origin}`, res.status(), res.status() === 403);
      expect(res.status()).toBe(403);
      expect((await api.get("/api/v1/me")).status(), "no session from a cross-origin sign-in").toBe(401);
    }
    const crossSite = await api.post("/api/auth/callback/credentials", { form: await form(), headers: { Origin: server.url, "Sec-Fetch-Site": "cross-site" }, maxRedirects: 0 });
    note("sign-in, Sec-Fetch-Site cross-site", crossSite.status(), crossSite.status() === 403);
    expect(crossSite.status()).toBe(403);
    // Without the CSRF cookie's token (what another site could send), Auth.js refuses by itself.
    const noToken = await api.post("/api/auth/callback/credentials", { form: { csrfToken: "forged", email: OWNER.email, password: OWNER.password }, maxRedirects: 0 });
    expect((await api.get("/api/v1/me")).status(), "no session without the CSRF token").toBe(401);
    note("sign-in, forged CSRF token (no Origin)", noToken.status(), true);
    // The control: the same sign-in from this site (as a script: no Origin) works.
    const ok = await api.post("/api/auth/callback/credentials", { form: await form(), maxRedirects: 0 });
    expect([200, 302]).toContain(ok.status());
    expect((await api.get("/api/v1/me")).status()).toBe(200);

    // Sign-out from another site: refused, still signed in.
    const out = await api.post("/api/auth/signout", { form: { csrfToken: await csrf() }, headers: { Origin: FOREIGN }, maxRedirects: 0 });
    note("sign-out, foreign Origin", out.status(), out.status() === 403);
    expect(out.status()).toBe(403);
    expect((await api.get("/api/v1/me")).status(), "still signed in").toBe(200);
  } finally {
    await api.dispose();
  }

  // A server action as the browser sends it (captured from the real form), replayed from another origin.
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
    await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/settings\/registries$/);
    await page.goto("/companies/new");
    const captured: { value: { url: string; headers: Record<string, string>; body: Buffer } | null } = { value: null };
    await page.route("**/companies/new", async (route) => {
      const req = route.request();
      if (req.method() === "POST" && req.headers()["next-action"]) {
        captured.value = { url: req.url(), headers: req.headers(), body: req.postDataBuffer() ?? Buffer.alloc(0) };
        await route.abort();
      } else await route.continue();
    });
    await page.getByLabel(/Company name/).fill("Replayed Co");
    await page.getByRole("button", { name: "Create company" }).click();
    await expect.poll(() => captured.value !== null).toBe(true);
    const action = captured.value!;
    const companies = async () => ((await (await context.request.get("/api/v1/me")).json()) as { companies: { slug: string }[] }).companies.map((c) => c.slug);
    const before = await companies();
    const send = (origin: string) =>
      context.request.post(action.url, {
        headers: { ...pick(action.headers, ["next-action", "next-router-state-tree", "content-type", "accept"]), origin },
        data: action.body,
        maxRedirects: 0,
      });
    for (const origin of [FOREIGN, "null"]) {
      const res = await send(origin);
      note(`server action createCompany, Origin ${origin}`, res.status(), res.status() === 403);
      expect(res.status()).toBe(403);
      expect(await companies(), "no company from a cross-origin action").toEqual(before);
    }
    // The control: the same bytes from this site's origin create the company.
    const same = await send(server.url);
    expect(same.status()).toBeLessThan(400);
    expect(await companies()).toContain("replayed-co");
  } finally {
    await context.close();
    recordFigures({
      suite: "hardening",
      part: "auth",
      title: "Auth.js endpoints and server actions against cross-origin POSTs (real server)",
      passed: refusals.length > 0 && refusals.every((r) => r[2] === "refused"),
      figures: { cases: refusals.length, refused: refusals.filter((r) => r[2] === "refused").length, mode: reliabilityMode() },
      tables: [{ title: "cases", columns: ["request", "status", "outcome"], rows: refusals }],
    });
  }
});

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => headers[n] !== undefined).map((n) => [n, headers[n]!]));
}
