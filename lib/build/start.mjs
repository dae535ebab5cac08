#!/usr/bin/env node
/**
 * `npm start`: serves the standalone build (`npm run build` assembles it) in this process, the way
 * the container image does, with Berth's own SIGTERM handling (NEXT_MANUAL_SIG_HANDLE=true, set
 * here so it works on every platform npm runs on).
 *
 * The standalone server changes its working directory to its own folder, so paths given relative
 * to the repository (BERTH_DATA_DIR, default ./.data, and NODE_EXTRA_CA_CERTS) are made absolute
 * first. Like `next start`, it listens on every interface unless `-H` names one; `-p` or PORT
 * picks the port (default 3000).
 *
 *   node lib/build/start.mjs [-p PORT] [-H HOST]
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { installPeerStamp } from "../server/peer-stamp.mjs";

const args = process.argv.slice(2);
const flag = (short, long) => {
  const i = args.findIndex((a) => a === short || a === long);
  return i >= 0 ? args[i + 1] : undefined;
};

const distDir = process.env.BERTH_DIST_DIR || ".next";
const server = path.resolve(distDir, "standalone", "server.js");
if (!fs.existsSync(server)) {
  console.error(`No standalone server at ${server}: run \`npm run build\` first.`);
  process.exit(1);
}

process.env.NEXT_MANUAL_SIG_HANDLE = "true";
process.env.NODE_ENV = "production";
process.env.BERTH_DATA_DIR = path.resolve(process.env.BERTH_DATA_DIR?.trim() || ".data");
if (process.env.NODE_EXTRA_CA_CERTS?.trim()) {
  process.env.NODE_EXTRA_CA_CERTS = path.resolve(process.env.NODE_EXTRA_CA_CERTS.trim());
}
process.env.PORT = flag("-p", "--port") ?? (process.env.PORT?.trim() || "3000");
// HOSTNAME is often the machine's name in a shell; like `next start`, only -H chooses the address.
process.env.HOSTNAME = flag("-H", "--hostname") ?? "0.0.0.0";

// Before the server listens: every request from the first one gets its TCP peer stamped (and a
// client-sent x-berth-peer overwritten), instead of only once the instrumentation hook has run.
installPeerStamp();
createRequire(import.meta.url)(server);
