/**
 * The client helpers as downloads: the exact bytes of `lib/clients/NAME.js` (the checked
 * source), served without authentication with a strong ETag and their SHA-256, so an installer
 * can verify what it fetched (`X-Checksum-Sha256`, hex).
 *
 * The files are read from `process.cwd()/lib/clients/` at the first request and kept in memory.
 * `next start` runs in the project root; a standalone build runs in its own folder, which holds
 * them because `outputFileTracingIncludes` in next.config.ts copies them next to the routes.
 */
import "server-only";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";

export const CLIENT_SCRIPTS = ["docker-credential-berth", "berth-credential-provider"] as const;
export type ClientScript = (typeof CLIENT_SCRIPTS)[number];

interface Download {
  bytes: Buffer;
  sha256: string;
  etag: string;
}

const loaded = new Map<ClientScript, Promise<Download>>();

async function load(name: ClientScript): Promise<Download> {
  const bytes = await readFile(path.join(process.cwd(), "lib", "clients", `${name}.js`));
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { bytes, sha256, etag: `"${sha256.slice(0, 32)}"` };
}

function download(name: ClientScript): Promise<Download> {
  let file = loaded.get(name);
  if (!file) {
    file = load(name);
    // A failed read is tried again on the next request.
    file.catch(() => loaded.delete(name));
    loaded.set(name, file);
  }
  return file;
}

/** Whether an `If-None-Match` header names `etag` (or `*`). */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}

/** The answer to `GET` (or `HEAD`) of `/downloads/NAME`. */
export async function downloadResponse(req: Request, name: ClientScript): Promise<Response> {
  const file = await download(name);
  const headers = new Headers({
    "Content-Type": "text/javascript; charset=utf-8",
    "Content-Disposition": `attachment; filename="${name}"`,
    ETag: file.etag,
    "X-Checksum-Sha256": file.sha256,
    // Revalidated on every fetch (cheap with the ETag): a new Berth version serves a new file.
    "Cache-Control": "public, no-cache",
  });
  if (matches(req.headers.get("if-none-match"), file.etag)) return new Response(null, { status: 304, headers });
  headers.set("Content-Length", String(file.bytes.length));
  return new Response(req.method === "HEAD" ? null : new Uint8Array(file.bytes), { status: 200, headers });
}
