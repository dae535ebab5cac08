#!/usr/bin/env node
/**
 * Completes the standalone server that `next build` writes to `<distDir>/standalone`: Next traces
 * server.js and its node_modules there but leaves out the browser assets, which the server still
 * serves. This copies `<distDir>/static` to `<standalone>/<distDir>/static` and `public` to
 * `<standalone>/public`, and checks that the files read at run time (the SQL migrations, PGlite's
 * WASM build) were traced in. With a target folder it first copies the standalone folder there,
 * so the server can run from a place with no repository around it.
 *
 * It also puts the peer-address stamp (lib/server/peer-stamp.mjs) in front of Next's server:
 * Next's `server.js` becomes `next-server.js`, and the new `server.js` installs the stamp and
 * then loads it. So `node server.js` (the container image, a systemd unit) stamps every request
 * from the first one the server accepts, as `npm start` does, instead of only once the
 * instrumentation hook has run (until then the app would see no address at all: issue 16).
 *
 *   node lib/build/assemble-standalone.mjs [target]
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The first line of the server.js this script writes (so a second run leaves it as it is). */
export const WRAPPER_MARK = "// Berth: the peer-address stamp before Next's server (lib/build/assemble-standalone.mjs)";

const WRAPPER = `${WRAPPER_MARK}
"use strict";
// Installed before Next's server listens: every request gets its TCP peer stamped into
// x-berth-peer (a client-sent value is overwritten). Then Next's own standalone server.
import("./berth-peer-stamp.mjs").then(
  (stamp) => {
    stamp.installPeerStamp();
    require("./next-server.js");
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
`;

/** Puts the stamp in front of Next's server.js in `out` (once). */
export function wrapServer(out) {
  const server = path.join(out, "server.js");
  fs.copyFileSync(path.join(root, "lib", "server", "peer-stamp.mjs"), path.join(out, "berth-peer-stamp.mjs"));
  if (fs.readFileSync(server, "utf8").startsWith(WRAPPER_MARK)) return;
  fs.renameSync(server, path.join(out, "next-server.js"));
  fs.writeFileSync(server, WRAPPER);
}

/** Files the standalone server cannot start or serve without, relative to its folder. */
export function requiredFiles(distDir) {
  return [
    "server.js",
    "next-server.js",
    "berth-peer-stamp.mjs",
    path.join(distDir, "BUILD_ID"),
    path.join(distDir, "static"),
    "public",
    path.join("db", "migrations", "meta", "_journal.json"),
    path.join("node_modules", "@electric-sql", "pglite", "package.json"),
    path.join("node_modules", "pino", "package.json"),
    path.join("node_modules", "@node-rs", "argon2", "package.json"),
  ];
}

/** Assembles the standalone folder (in place, or as a copy at `target`); returns its path. */
export function assembleStandalone({ distDir = process.env.BERTH_DIST_DIR || ".next", target } = {}) {
  const built = path.join(root, distDir, "standalone");
  if (!fs.existsSync(path.join(built, "server.js"))) {
    throw new Error(`No standalone server at ${built}: run \`next build\` with output: "standalone" first.`);
  }
  let out = built;
  if (target) {
    out = path.resolve(target);
    // verbatimSymlinks keeps pnpm-style links relative instead of pointing back into the repository.
    fs.cpSync(built, out, { recursive: true, verbatimSymlinks: true });
  }
  wrapServer(out);
  fs.cpSync(path.join(root, distDir, "static"), path.join(out, distDir, "static"), { recursive: true });
  if (fs.existsSync(path.join(root, "public"))) {
    fs.cpSync(path.join(root, "public"), path.join(out, "public"), { recursive: true });
  }
  const missing = requiredFiles(distDir).filter((f) => !fs.existsSync(path.join(out, f)));
  if (missing.length > 0) throw new Error(`The standalone folder ${out} lacks: ${missing.join(", ")}`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const out = assembleStandalone({ target: process.argv[2] });
    console.log(`standalone server ready: node ${path.relative(process.cwd(), path.join(out, "server.js")) || "server.js"}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
