/**
 * Small loopback servers for Test Connection tests: a scripted HTTP(S)
 * server, a server that accepts and never answers, and a connection counter.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import { assertLoopbackHost, hostPort } from "./registry-net";

export interface LoopbackServer {
  /** `host:port` with brackets for IPv6. */
  host: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Requests seen so far (HTTP servers only). */
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

async function listen(server: net.Server, listenHost: string): Promise<number> {
  assertLoopbackHost(listenHost);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, listenHost, resolve);
  });
  return (server.address() as AddressInfo).port;
}

function tracked(server: net.Server, listenHost: string, port: number, requests: LoopbackServer["requests"]): LoopbackServer {
  let count = 0;
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    count += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return {
    host: hostPort(listenHost, port),
    port,
    connections: () => count,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export type Handler = (req: IncomingMessage, res: ServerResponse, server: { host: string }) => void;

/** An HTTP (or HTTPS with `tls`) server answering with `handler`. */
export async function startHttpServer(
  handler: Handler,
  options: { listenHost?: string; tls?: { cert: string; key: string } } = {},
): Promise<LoopbackServer> {
  const listenHost = options.listenHost ?? "127.0.0.1";
  const requests: LoopbackServer["requests"] = [];
  let self = { host: "" };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    handler(req, res, self);
  };
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  // Count connections before the HTTP layer sees them.
  const port = await listen(server, listenHost);
  const result = tracked(server, listenHost, port, requests);
  self = { host: result.host };
  return result;
}

/** Accepts TCP connections and never sends a byte. */
export async function startSilentServer(listenHost = "127.0.0.1"): Promise<LoopbackServer> {
  const server = net.createServer(() => undefined);
  const port = await listen(server, listenHost);
  return tracked(server, listenHost, port, []);
}

/** A listener that only counts connections (and closes them). */
export async function startConnectionCounter(listenHost: string): Promise<LoopbackServer> {
  const server = net.createServer((socket) => socket.destroy());
  const port = await listen(server, listenHost);
  return tracked(server, listenHost, port, []);
}

/** A port on `listenHost` with nothing listening (bound, then released). */
export async function closedPort(listenHost = "127.0.0.1"): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, listenHost);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
