/**
 * The fields of the one log line per request (`msg: "request"`):
 * `requestId`, `method`, `route` (the route pattern, or for a path no route matches the path
 * with ids and tokens replaced by `:id`; never the query string), `status` (499: the client
 * left before the response was complete), `durationMs`, `companyId` (when the request had a
 * company context) and `client` (the caller's address, as the rate limits see it).
 * Headers are never logged, so Authorization, Cookie and tokens do not reach the line; the
 * logger's redaction (lib/log.ts) is the second guard.
 */
import { normalizePath, pathOf } from "./route-pattern";

export interface RequestLogInput {
  requestId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  companyId?: string;
  client: string | null;
}

export interface RequestLogLine {
  requestId?: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  companyId?: string;
  client?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export function requestLogLine(input: RequestLogInput): RequestLogLine {
  // The route is a pattern already; taking the path and normalizing again costs nothing and
  // keeps a query string or a token out even if a caller passed a raw URL.
  const route = normalizePath(pathOf(input.route));
  const line: RequestLogLine = {
    method: /^[A-Z]{1,16}$/.test(input.method) ? input.method : "other",
    route: route.length > 200 ? `${route.slice(0, 200)}…` : route,
    status: input.status,
    durationMs: Math.round(input.durationMs * 10) / 10,
  };
  if (REQUEST_ID.test(input.requestId)) line.requestId = input.requestId;
  if (input.companyId) line.companyId = input.companyId;
  if (input.client) line.client = input.client;
  return line;
}
