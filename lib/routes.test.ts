import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const APP = path.join(__dirname, "..", "app");

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? routeFiles(p) : e.name === "route.ts" ? [p] : [];
  });
}

/** The method names a route module exports (`export const GET`, `export { GET, … }`, `export const { PUT } = …`). */
function exportedMethods(source: string): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(/^export (?:const|async function) (\w+)/gm)) names.add(m[1]!);
  for (const m of source.matchAll(/^export (?:const )?\{([^}]*)\}/gm)) for (const n of m[1]!.split(",")) names.add(n.trim().split(/\s+as\s+/).pop()!);
  return names;
}

describe("route modules", () => {
  // Next answers a method a route does not export with an empty 405 (no problem+json, no Allow):
  // every route exports every method, the ones it does not serve through otherMethods().
  it("every app route.ts serves or refuses (as problem+json) GET, POST, PUT, PATCH and DELETE", () => {
    const files = routeFiles(APP);
    expect(files.length).toBeGreaterThan(25);
    const missing = files.flatMap((f) => {
      const have = exportedMethods(fs.readFileSync(f, "utf8"));
      return ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !have.has(m)).map((m) => `${path.relative(APP, f)} ${m}`);
    });
    expect(missing).toEqual([]);
  });
});
