import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import { clientAddress } from "@/lib/client-address";
import { log } from "@/lib/log";
import { observeHttpRequest, metrics } from "@/lib/metrics";
import { loadRouteTable, matchRoute, type RouteTable } from "./route-pattern";
import { requestLogLine } from "./request-log";

/**
 * What the server process sees of every HTTP request, from one hook on
 * `http.Server.prototype.emit` (Next.js gives the app no server handle):
 *
 * - **the servers**: the instrumentation hook runs after `next start` (and the standalone
 *   `server.js`, which calls the same `startServer`) has called `listen`, so patching `listen`
 *   or `createServer` from here is too late. Every server is recorded on its first
 *   `connection` or `request` event instead, which works whatever the order; the graceful
 *   shutdown closes those servers. A server that has not had a connection yet has nothing to
 *   finish: the process exit closes it.
 * - **requests in flight**: counted from `request` to the response's `close`, for the
 *   shutdown and the `berth_http_requests_in_flight` gauge;
 * - **one log line per request** and the HTTP metrics, when the response ends. The route
 *   pattern comes from the build's routes manifest; the company id is attached by the route
 *   wrappers through an AsyncLocalStorage store that this hook opens around Next's handling of
 *   the request ({@link noteRequestCompany}): a store, not a private response header, so that
 *   nothing has to be stripped before the response leaves and nothing can leak if it is not.
 * - **during shutdown** every response carries `Connection: close`, so keep-alive clients and
 *   proxies open their next request elsewhere instead of on a socket that is about to close.
 */

interface RequestStore {
  companyId?: string;
}

interface HookState {
  installed: boolean;
  servers: Set<http.Server>;
  inFlight: number;
  idle: (() => void)[];
  closing: boolean;
  routes?: RouteTable;
  storage: AsyncLocalStorage<RequestStore>;
  trustedProxies: () => readonly string[];
}

const globalForHooks = globalThis as unknown as { berthRequestHooks?: HookState };

function state(): HookState {
  globalForHooks.berthRequestHooks ??= {
    installed: false,
    servers: new Set(),
    inFlight: 0,
    idle: [],
    closing: false,
    storage: new AsyncLocalStorage<RequestStore>(),
    trustedProxies: () => [],
  };
  return globalForHooks.berthRequestHooks;
}

/** Called by the route wrappers once the company of the request is known. */
export function noteRequestCompany(companyId: string): void {
  const store = state().storage.getStore();
  if (store) store.companyId = companyId;
}

/** The HTTP servers of this process seen so far. */
export function trackedServers(): http.Server[] {
  return [...state().servers];
}

export function requestsInFlight(): number {
  return state().inFlight;
}

/** From now on every response asks the client to close its connection. */
export function markClosing(): void {
  state().closing = true;
}

/** Resolves once no request is in flight. */
export function whenIdle(): Promise<void> {
  const s = state();
  if (s.inFlight === 0) return Promise.resolve();
  return new Promise((resolve) => s.idle.push(resolve));
}

function finished(s: HookState) {
  s.inFlight -= 1;
  metrics().httpInFlight.set(s.inFlight);
  if (s.inFlight === 0) for (const resolve of s.idle.splice(0)) resolve();
}

function onRequest(s: HookState, req: http.IncomingMessage, res: http.ServerResponse, handle: () => boolean): boolean {
  const started = process.hrtime.bigint();
  s.inFlight += 1;
  metrics().httpInFlight.set(s.inFlight);
  if (s.closing) res.setHeader("Connection", "close");
  const store: RequestStore = {};
  let done = false;
  res.once("close", () => {
    if (done) return;
    done = true;
    finished(s);
    try {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      s.routes ??= loadRouteTable();
      const match = matchRoute(s.routes, req.url ?? "/");
      // A response that ended before it was complete (client gone) is logged with status 499.
      const status = res.writableFinished ? res.statusCode : 499;
      observeHttpRequest(match.route, req.method, status, seconds);
      const headers = new Headers();
      for (const name of ["x-berth-peer", "x-forwarded-for"]) {
        const v = req.headers[name];
        if (typeof v === "string") headers.set(name, v);
      }
      const line = requestLogLine({
        requestId: String(res.getHeader("x-request-id") ?? req.headers["x-request-id"] ?? ""),
        method: req.method ?? "",
        route: match.logRoute,
        status,
        durationMs: seconds * 1000,
        companyId: store.companyId,
        client: clientAddress(headers, s.trustedProxies()),
      });
      if (match.staticAsset) log.debug(line, "request");
      else log.info(line, "request");
    } catch (err) {
      log.warn({ err }, "could not record a request");
    }
  });
  return s.storage.run(store, handle);
}

/**
 * Installs the hook once per process. `trustedProxies` are the CIDRs whose X-Forwarded-For is
 * believed for the logged client address.
 */
export function installRequestHooks(trustedProxies: () => readonly string[]): void {
  const s = state();
  s.trustedProxies = trustedProxies;
  if (s.installed) return;
  s.installed = true;
  const proto = http.Server.prototype as unknown as { emit: (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean };
  const original = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      s.servers.add(this);
      return onRequest(s, args[0] as http.IncomingMessage, args[1] as http.ServerResponse, () => original.call(this, event, ...args));
    }
    if (event === "connection") s.servers.add(this);
    return original.call(this, event, ...args);
  };
}
