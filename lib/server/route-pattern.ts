import fs from "node:fs";
import path from "node:path";

/**
 * The route pattern of a request path (`/api/v1/companies/[companyId]/registries`), for log
 * lines and metric labels: never the raw path (ids, invite codes and tokens in paths would leak
 * into logs and make metric labels unbounded) and never the query string.
 *
 * The patterns come from the build's routes manifest (`<distDir>/routes-manifest.json`, which
 * lists every static route and the regular expression of every dynamic one, app and API routes
 * alike). A path no route matches is `(unmatched)` for metrics; its log line gets the path with
 * anything that looks like an id or a token replaced by `:id`.
 */
export interface RouteTable {
  statics: Set<string>;
  dynamics: { page: string; regex: RegExp }[];
}

export const UNMATCHED = "(unmatched)";
export const STATIC_ASSETS = "/_next/static";

interface Manifest {
  staticRoutes?: { page: string }[];
  dynamicRoutes?: { page: string; regex: string }[];
}

export function routeTableFrom(manifest: Manifest): RouteTable {
  const dynamics: RouteTable["dynamics"] = [];
  for (const r of manifest.dynamicRoutes ?? []) {
    try {
      dynamics.push({ page: r.page, regex: new RegExp(r.regex) });
    } catch {
      // a pattern this engine cannot compile: that route is reported as unmatched
    }
  }
  return { statics: new Set((manifest.staticRoutes ?? []).map((r) => r.page)), dynamics };
}

/** The build's table, read once (empty when there is no build, e.g. in unit tests). */
export function loadRouteTable(distDir = process.env.BERTH_DIST_DIR || ".next", cwd = process.cwd()): RouteTable {
  try {
    const text = fs.readFileSync(path.join(cwd, distDir, "routes-manifest.json"), "utf8");
    return routeTableFrom(JSON.parse(text) as Manifest);
  } catch {
    return { statics: new Set(), dynamics: [] };
  }
}

/** The path of a request target: no query string, no fragment, no trailing slash. */
export function pathOf(url: string): string {
  let p = url.split(/[?#]/, 1)[0] ?? "/";
  if (!p.startsWith("/")) {
    try {
      p = new URL(p).pathname; // absolute-form request target
    } catch {
      p = "/";
    }
  }
  if (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  return p;
}

const ID_LIKE = [
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // uuid
  /^\d+$/, // numeric id
  /^(?=.*\d)[A-Za-z0-9_~.%=+-]{16,}$/, // long tokens, codes and hashes
];

/** The path with every segment that looks like an id or a token replaced by `:id`. */
export function normalizePath(pathname: string): string {
  return pathname
    .split("/")
    .map((seg) => (seg !== "" && (seg.length > 64 || ID_LIKE.some((re) => re.test(seg))) ? ":id" : seg))
    .join("/");
}

export interface RouteMatch {
  /** The route pattern, or {@link UNMATCHED}. */
  route: string;
  /** What a log line shows: the pattern, or for an unmatched path the normalized path. */
  logRoute: string;
  staticAsset: boolean;
}

export function matchRoute(table: RouteTable, url: string): RouteMatch {
  const p = pathOf(url);
  if (p.startsWith(`${STATIC_ASSETS}/`)) return { route: STATIC_ASSETS, logRoute: STATIC_ASSETS, staticAsset: true };
  if (table.statics.has(p)) return { route: p, logRoute: p, staticAsset: false };
  for (const d of table.dynamics) if (d.regex.test(p)) return { route: d.page, logRoute: d.page, staticAsset: false };
  return { route: UNMATCHED, logRoute: normalizePath(p), staticAsset: false };
}
