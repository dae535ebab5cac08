import fs from "node:fs";
import path from "node:path";
import { isRefusalHandler } from "@/lib/http";

/**
 * The app's whole request surface, enumerated from the files at test time: every HTTP method
 * export of every `app/**\/route.ts`, and every export of every `"use server"` file under app/.
 * Suites that must cover everything (the access matrix) compare their tables with these lists, so
 * a new route or action cannot be forgotten. Test code only.
 */
export const APP_DIR = path.join(process.cwd(), "app");

export const ROUTE_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RouteHandler = (req: any, seg: { params: Promise<any> }) => Promise<Response>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ServerAction = (...args: any[]) => Promise<unknown>;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** `app/api/v1/me/route.ts` → `/api/v1/me`; route groups like `(auth)` are not part of the URL. */
export function routePattern(file: string): string {
  const dir = path.relative(APP_DIR, path.dirname(file)).split(path.sep);
  return "/" + dir.filter((s) => !/^\(.*\)$/.test(s)).join("/");
}

/** Every route handler export, keyed `METHOD /pattern` (e.g. `GET /api/v1/companies/[companyId]/members`). */
export async function routeExports(): Promise<Map<string, RouteHandler>> {
  const out = new Map<string, RouteHandler>();
  for (const file of walk(APP_DIR).filter((f) => path.basename(f) === "route.ts").sort()) {
    const mod = (await import(file)) as Record<string, unknown>;
    // Exports that only refuse (a 405 for a method the route does not serve, the /api 404) are
    // checked by lib/routes.test.ts, not cell by cell.
    for (const m of ROUTE_METHODS) if (typeof mod[m] === "function" && !isRefusalHandler(mod[m])) out.set(`${m} ${routePattern(file)}`, mod[m] as RouteHandler);
  }
  return out;
}

/** A file is a server-action module when its first statement is the `"use server"` directive. */
function isActionModule(file: string): boolean {
  if (!/\.(ts|tsx)$/.test(file)) return false;
  const code = fs
    .readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "")
    .trimStart();
  return /^["']use server["']/.test(code);
}

/**
 * Files under app/ and components/ with a `"use server"` directive that is not the file's first
 * statement (a server action declared inside a component): actionExports cannot list those.
 */
export function inlineActionFiles(): string[] {
  const roots = [APP_DIR, path.join(process.cwd(), "components")].filter((d) => fs.existsSync(d));
  return roots
    .flatMap(walk)
    .filter((f) => /\.(ts|tsx)$/.test(f) && !isActionModule(f) && /^\s*["']use server["']/m.test(fs.readFileSync(f, "utf8")))
    .map((f) => path.relative(process.cwd(), f));
}

/** Every server action, keyed `file#export` with the file relative to app/ (e.g. `account/actions.ts#changePasswordAction`). */
export async function actionExports(): Promise<Map<string, ServerAction>> {
  const out = new Map<string, ServerAction>();
  for (const file of walk(APP_DIR).filter(isActionModule).sort()) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const [name, v] of Object.entries(mod)) if (typeof v === "function") out.set(`${path.relative(APP_DIR, file)}#${name}`, v as ServerAction);
  }
  return out;
}

/** The dynamic segments of a request path under a route pattern: `/a/[id]` and `/a/x` → `{id: "x"}`. */
export function paramsOf(pattern: string, pathname: string): Record<string, string> {
  const want = pattern.split("/");
  const got = pathname.split("?")[0]!.split("/");
  if (want.length !== got.length) throw new Error(`${pathname} does not match ${pattern}`);
  const params: Record<string, string> = {};
  want.forEach((seg, i) => {
    const m = /^\[(\w+)\]$/.exec(seg);
    if (m) params[m[1]!] = decodeURIComponent(got[i]!);
    else if (seg !== got[i]) throw new Error(`${pathname} does not match ${pattern}`);
  });
  return params;
}
