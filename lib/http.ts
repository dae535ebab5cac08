import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import type { z } from "zod";
import { isDatabaseUnavailable } from "@/lib/db-errors";
import { AppError, toProblem, validationError, zodErrors } from "@/lib/errors";
import { log } from "@/lib/log";

export const MAX_BODY_BYTES = 64 * 1024;
/** Deeper bodies are refused before parsing: every walk of a parsed body (ours, zod's) recurses. */
export const MAX_JSON_DEPTH = 64;

export function requestIdOf(req: Request): string {
  return req.headers.get("x-request-id") ?? crypto.randomUUID();
}

export function json(body: unknown, init: ResponseInit & { requestId?: string } = {}): NextResponse {
  const res = NextResponse.json(body, init);
  if (init.requestId) res.headers.set("X-Request-Id", init.requestId);
  return res;
}

export function problemResponse(err: unknown, requestId: string): NextResponse {
  if (isDatabaseUnavailable(err)) {
    log.warn({ err, requestId }, "database unavailable");
    err = new AppError("unavailable", "The database is unavailable. Try again shortly.", { headers: { "Retry-After": "2" } });
  }
  const problem = toProblem(err, requestId);
  if (problem.status >= 500 && !(err instanceof AppError && err.status < 500)) {
    log.error({ err, requestId }, "unhandled error");
  }
  const res = NextResponse.json(problem, {
    status: problem.status,
    headers: { "Content-Type": "application/problem+json", "Cache-Control": "no-store", "X-Request-Id": requestId },
  });
  if (err instanceof AppError) for (const [k, v] of Object.entries(err.headers)) res.headers.set(k, v);
  return res;
}

/**
 * Reads a JSON body: 415 unless the content type is JSON, 413 over 64 KiB, 400 for malformed
 * JSON or nesting deeper than {@link MAX_JSON_DEPTH}, and, with a schema, 400 with dotted field paths.
 */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>>;
export async function readJson(req: Request): Promise<unknown>;
export async function readJson(req: Request, schema?: z.ZodType): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = await readLimited(req, MAX_BODY_BYTES);
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) throw validationError([{ path: "", message: `Must not be nested deeper than ${MAX_JSON_DEPTH} levels` }]);
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON");
  }
  const nul = findNul(body);
  if (nul !== null) throw validationError([{ path: nul, message: "Must not contain NUL characters" }]);
  if (!schema) return body;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  return parsed.data;
}

/** Whether JSON text nests arrays and objects deeper than `max` (brackets outside strings; one linear pass). */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** PostgreSQL text cannot hold U+0000: refuse it at the edge with the field's path. */
function findNul(value: unknown, path: string[] = []): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path.join(".") : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], [...path, String(i)]);
      if (hit !== null) return hit;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const hit = k.includes("\u0000") ? [...path, k].join(".") : findNul(v, [...path, k]);
      if (hit !== null) return hit;
    }
  }
  return null;
}

/** The same for query parameters. */
export function assertNoNulInQuery(params: URLSearchParams): void {
  for (const [k, v] of params) {
    if (k.includes("\u0000") || v.includes("\u0000")) throw validationError([{ path: k.replace(/\u0000/g, ""), message: "Must not contain NUL characters" }]);
  }
}

function tooLarge() {
  return new AppError("payload_too_large", `The body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
}

async function readLimited(req: Request, limit: number): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch {
      // The client closed the connection before the body ended (Node's "aborted", ECONNRESET):
      // the client's doing, not the database's (which the same code would otherwise suggest).
      throw new AppError("bad_request", "The request body ended early: the connection closed before all of it arrived");
    }
    const { done, value } = step;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Handlers for the methods a route does not serve (Next's own 405 has no body and no Allow), and
 * answers for API paths no route serves: both problem+json like every other API error.
 * A route exports the missing methods: `export const { PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS, POST")`.
 */
export function otherMethods(allow: string) {
  const refuse = async (req: Request): Promise<Response> =>
    problemResponse(new AppError("method_not_allowed", `${req.method} is not allowed here: use ${allow}`, { headers: { Allow: allow } }), requestIdOf(req));
  REFUSALS.add(refuse);
  return { GET: refuse, HEAD: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse };
}

export async function noSuchEndpoint(req: Request): Promise<Response> {
  return problemResponse(new AppError("not_found", "No API endpoint at this path"), requestIdOf(req));
}

const REFUSALS = new WeakSet<object>([noSuchEndpoint]);

/**
 * Whether a route export only refuses (a 405 of otherMethods, the 404 of noSuchEndpoint): the
 * tests that enumerate every route export (access matrix, cross-origin table) check these apart.
 */
export function isRefusalHandler(fn: unknown): boolean {
  return typeof fn === "function" && REFUSALS.has(fn);
}

type Handler<P> = (req: NextRequest, ctx: { params: P; requestId: string }) => Promise<Response>;

/** The smallest wrapper: a request id on every answer and errors as problem+json. */
export function withErrors<P = Record<string, never>>(handler: Handler<P>) {
  return async (req: NextRequest, segment: { params: Promise<P> }): Promise<Response> => {
    const requestId = requestIdOf(req);
    try {
      const res = await handler(req, { params: await segment.params, requestId });
      res.headers.set("X-Request-Id", requestId);
      return res;
    } catch (err) {
      return problemResponse(err, requestId);
    }
  };
}
