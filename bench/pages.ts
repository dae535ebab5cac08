/**
 * Pages: first-load JavaScript (gzip) of the registries list and the add/edit forms against the
 * hello-world page of the same (benchmark) build, and the load time until the list is visible in
 * headless Chromium (navigation start → first row on screen), alternating with the hello-world
 * page (until its text is visible), signed in, median of N.
 *
 *   npx tsx --conditions=react-server bench/pages.ts [--runs 10] [--no-build]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { ADMIN, BENCH_DIST, ROOT, build, createBenchDb, fmt, log, median, prepareServer, seedRegistries, seedToken, type Seeded } from "./lib";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};

export interface PagesResult {
  firstLoadGzipKiB: Record<string, number>;
  loadMs: { list: number[]; hello: number[] };
}

export const PAGE_ROUTES = {
  hello: "/bench/hello",
  list: "/[company]/settings/registries",
  add: "/[company]/settings/registries/new",
  edit: "/[company]/settings/registries/[id]",
} as const;

/** Gzip (level 9) of every first-load chunk of a route, from `next build`'s route-bundle-stats.json. */
export function firstLoadGzip(distDir: string): Record<string, number> {
  const stats = JSON.parse(readFileSync(path.join(ROOT, distDir, "diagnostics", "route-bundle-stats.json"), "utf8")) as { route: string; firstLoadChunkPaths: string[] }[];
  const out: Record<string, number> = {};
  for (const [key, route] of Object.entries(PAGE_ROUTES)) {
    const r = stats.find((s) => s.route === route);
    if (!r) throw new Error(`${route} is not in ${distDir}`);
    out[key] = r.firstLoadChunkPaths.reduce((n, p) => n + zlib.gzipSync(readFileSync(path.join(ROOT, distDir, p.replace(/^\.next[^/]*\//, ""))), { level: 9 }).length, 0) / 1024;
  }
  return out;
}

export async function runPages(opts: { runs: number; buildFirst: boolean }): Promise<PagesResult> {
  if (opts.buildFirst) build("bench");
  const firstLoadGzipKiB = firstLoadGzip(BENCH_DIST);
  const { chromium } = await import("@playwright/test");
  const bdb = await createBenchDb(process.env.DATABASE_URL || process.env.BENCH_POSTGRES_URL ? "postgres" : "pglite");
  let server: Awaited<ReturnType<typeof prepareServer>>["server"] | undefined;
  const browser = await chromium.launch({
    executablePath: process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const prepared = await prepareServer(bdb, BENCH_DIST, async (db): Promise<Seeded> => {
      const s = await seedToken(db);
      await seedRegistries(db, s.companyId, s.userId, 200);
      return s;
    });
    server = prepared.server;
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    const { csrfToken } = (await (await context.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const signIn = await context.request.post("/api/auth/callback/credentials", { form: { csrfToken, email: ADMIN.email, password: ADMIN.password }, maxRedirects: 0 });
    if (![200, 302].includes(signIn.status())) throw new Error(`sign-in answered ${signIn.status()}`);
    const page = await context.newPage();
    const targets = {
      list: { url: `/${ADMIN.company}/settings/registries`, visible: '[data-testid="registry-row"]' },
      hello: { url: "/bench/hello", visible: "text=Hello, world" },
    };
    const loadMs = { list: [] as number[], hello: [] as number[] };
    // A fresh page load each time (the HTTP cache is off), as a first visit.
    const once = async (k: keyof typeof targets) => {
      await page.goto("about:blank");
      const res = await page.goto(targets[k].url, { waitUntil: "commit" });
      if (!res || res.status() !== 200) throw new Error(`${targets[k].url} answered ${res?.status()}`);
      await page.locator(targets[k].visible).first().waitFor({ state: "visible" });
      return page.evaluate(() => performance.now());
    };
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    for (let i = 0; i < 2; i++) {
      await once("list");
      await once("hello");
    }
    for (let i = 0; i < opts.runs; i++) {
      const order: (keyof typeof targets)[] = i % 2 ? ["hello", "list"] : ["list", "hello"];
      for (const k of order) loadMs[k].push(await once(k));
    }
    log(`pages: list visible after ${fmt(median(loadMs.list), 0)} ms, hello ${fmt(median(loadMs.hello), 0)} ms (median of ${opts.runs})`);
    return { firstLoadGzipKiB, loadMs };
  } finally {
    await browser.close();
    await server?.stop();
    await bdb.drop();
  }
}

async function main() {
  const r = await runPages({ runs: Number(arg("runs", "10")), buildFirst: !argv.includes("--no-build") });
  const out = arg("out", path.join(ROOT, "bench/out/pages.json"));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(r, null, 2));
  console.log(r.firstLoadGzipKiB, median(r.loadMs.list), median(r.loadMs.hello));
}

if (process.argv[1] && /bench\/pages\.ts$/.test(process.argv[1])) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
