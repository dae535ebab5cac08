/**
 * The standalone server (`output: "standalone"`), run the way the container image runs it: the
 * folder `next build` writes, assembled by lib/build/assemble-standalone.mjs, copied to a temporary
 * folder outside the repository (so it cannot lean on the repository's node_modules or files) and
 * started with `node server.js`. Once on the embedded database, once on PostgreSQL.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { freshDatabase } from "../support/database";
import { freePort } from "../support/server";
import { ADMIN, signInApi } from "../support/session";

const ROOT = path.resolve(__dirname, "../..");
const DIST_DIR = process.env.BERTH_DIST_DIR || ".next";

let appDir = "";
let tempRoot = "";

test.beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, DIST_DIR, "standalone", "server.js"))) {
    throw new Error(`No standalone server in ${DIST_DIR}/standalone: run \`npm run build\` (next build with output: "standalone") first.`);
  }
  tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), "berth-standalone-"));
  appDir = path.join(tempRoot, "app");
  // The same script `npm run build` runs, here copying the folder out of the repository first.
  const assembled = spawnSync(process.execPath, [path.join(ROOT, "lib/build/assemble-standalone.mjs"), appDir], {
    cwd: ROOT,
    env: { ...process.env, BERTH_DIST_DIR: DIST_DIR },
    encoding: "utf8",
  });
  if (assembled.status !== 0) throw new Error(`assemble-standalone failed:\n${assembled.stdout}${assembled.stderr}`);
});

test.afterAll(() => {
  if (tempRoot) fs.rmSync(tempRoot, { recursive: true, force: true });
});

interface Standalone {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node server.js` in the copied folder with nothing but the given environment; waits for /api/ready. */
async function startStandalone(extraEnv: Record<string, string>): Promise<Standalone> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: tempRoot,
    NODE_ENV: "production",
    NEXT_MANUAL_SIG_HANDLE: "true",
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    LOG_LEVEL: "info",
    BERTH_DRAIN_MS: "200",
    BERTH_ADMIN_EMAIL: ADMIN.email,
    BERTH_ADMIN_PASSWORD: ADMIN.password,
    BERTH_COMPANY_NAME: ADMIN.company,
    ...extraEnv,
  };
  let output = "";
  const child = spawn(process.execPath, ["server.js"], { cwd: appDir, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += String(d)));
  child.stderr!.on("data", (d) => (output += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The standalone server exited (${child.exitCode}) before it was ready:\n${output}`);
    try {
      if ((await fetch(`${url}/api/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The standalone server was not ready within 40 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, child, output: () => output, exited };
}

/** Sign-in, a registry created, listed and pulled, a page with its stylesheet, then SIGTERM. */
async function exercise(server: Standalone): Promise<void> {
  const api: APIRequestContext = await playwrightRequest.newContext({ baseURL: server.url });
  const password = `standalone-${randomBytes(6).toString("hex")}`;
  try {
    await signInApi(api);
    const me = await (await api.get("/api/v1/me")).json();
    const company = me.companies.find((c: { slug: string }) => c.slug === ADMIN.slug);
    const origin = { Origin: server.url };
    const host = `127.0.0.1:5999`;
    const created = await api.post(`/api/v1/companies/${company.id}/registries`, {
      data: { name: "standalone registry", type: "custom", credentials: { url: `${host}/team`, username: "robot", password } },
      headers: origin,
    });
    expect(created.status(), await created.text()).toBe(201);
    const registry = await created.json();
    expect(JSON.stringify(registry)).not.toContain(password);

    const list = await (await api.get(`/api/v1/companies/${company.id}/registries`)).json();
    expect(list.items.map((r: { id: string }) => r.id)).toContain(registry.id);

    const secret = await api.post(`/api/v1/companies/${company.id}/registries/pull-secret`, { data: { hosts: [host], format: "dockerconfigjson" }, headers: origin });
    expect(secret.status(), await secret.text()).toBe(200);
    expect(JSON.stringify(await secret.json())).toContain(Buffer.from(`robot:${password}`).toString("base64"));

    // A server-rendered page, and the stylesheet it links, from the copied static folder.
    const page = await api.get(`/${ADMIN.slug}/settings/registries`);
    expect(page.status()).toBe(200);
    const html = await page.text();
    expect(html).toContain("standalone registry");
    expect(html).not.toContain(password);
    const css = [...html.matchAll(/href="(\/_next\/static\/[^"]+\.css)"/g)].map((m) => m[1]);
    expect(css.length, "the page links a stylesheet").toBeGreaterThan(0);
    const sheet = await api.get(css[0]!);
    expect(sheet.status()).toBe(200);
    expect(sheet.headers()["content-type"]).toContain("text/css");
    expect((await sheet.text()).length).toBeGreaterThan(1000);
    const logo = await api.get("/logo.svg");
    expect(logo.status(), "public/ is served").toBe(200);
  } finally {
    await api.dispose();
  }

  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 30_000);
  const exit = await server.exited;
  clearTimeout(timer);
  // Berth's own handler (NEXT_MANUAL_SIG_HANDLE is set) drains, stops and exits 0; Next's default
  // would end it by the signal (143), and a hang would end in SIGKILL after 30 s.
  expect(exit, server.output()).toEqual({ code: 0, signal: null });
  expect(server.output()).toContain("shutdown: closing the listening sockets");
  expect(server.output()).not.toContain(password);
}

test("the standalone server runs from a copied folder on the embedded database", async () => {
  // Every symbolic link in the copy stays inside it: nothing reaches back into the repository.
  for (const entry of fs.readdirSync(appDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isSymbolicLink()) continue;
    const target = fs.realpathSync(path.join(entry.parentPath, entry.name));
    expect(target.startsWith(appDir + path.sep), `${entry.name} → ${target}`).toBe(true);
  }
  const dataDir = path.join(tempRoot, "data");
  const server = await startStandalone({ BERTH_DATA_DIR: dataDir });
  expect(server.output()).toContain('"database":"pglite"');
  await exercise(server);
  expect(fs.existsSync(path.join(dataDir, "pglite")), "the data went to BERTH_DATA_DIR").toBe(true);
});

test("the standalone server runs on PostgreSQL with the keys from the environment", async () => {
  // CI's DATABASE_URL server, else the local one on loopback; without PostgreSQL this fails, never skips.
  const db = await freshDatabase("standalone");
  try {
    const server = await startStandalone({
      DATABASE_URL: db.url,
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      AUTH_SECRET: randomBytes(32).toString("hex"),
      BERTH_DATA_DIR: path.join(tempRoot, "unused"),
    });
    expect(server.output()).toContain('"database":"postgres"');
    await exercise(server);
    expect(fs.existsSync(path.join(tempRoot, "unused", "pglite")), "no embedded database on PostgreSQL").toBe(false);
  } finally {
    await db.drop();
  }
});
