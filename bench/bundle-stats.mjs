#!/usr/bin/env node
// First-load JavaScript per page, from `next build`'s .next/diagnostics/route-bundle-stats.json:
// uncompressed bytes as Next reports them, and gzip (level 9) of the same chunks.
// Usage: npm run build && node bench/bundle-stats.mjs
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const dist = process.env.BERTH_DIST_DIR || ".next";
const stats = JSON.parse(fs.readFileSync(path.join(dist, "diagnostics", "route-bundle-stats.json"), "utf8"));
const gz = new Map();
const gzipOf = (p) => {
  if (!gz.has(p)) {
    const file = path.join(dist, p.replace(/^\.next\//, ""));
    gz.set(p, zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length);
  }
  return gz.get(p);
};
const rows = stats
  .filter((r) => !r.route.startsWith("/api/"))
  .map((r) => ({ route: r.route, raw: r.firstLoadUncompressedJsBytes, gzip: r.firstLoadChunkPaths.reduce((n, p) => n + gzipOf(p), 0) }))
  .sort((a, b) => a.route.localeCompare(b.route));
const kb = (n) => (n / 1024).toFixed(1).padStart(7);
console.log("route".padEnd(46) + "  first-load JS (KiB)   gzip (KiB)");
for (const r of rows) console.log(r.route.padEnd(46) + "  " + kb(r.raw) + "             " + kb(r.gzip));
