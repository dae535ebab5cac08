/** Small network helpers for the test harness: loopback only, always. */
import { rmSync } from "node:fs";
import type http from "node:http";
import net from "node:net";
import ipaddr from "ipaddr.js";

/** Throws unless `host` is a loopback address literal (127.0.0.0/8 or ::1). */
export function assertLoopbackHost(host: string): void {
  const bare = host.replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(bare) || ipaddr.process(bare).range() !== "loopback") {
    throw new Error(`test servers listen on loopback addresses only, not ${host}`);
  }
}

/** `host:port`, with brackets around IPv6 literals. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Asks the kernel for a free port on `host` by binding port 0. */
export async function getFreePort(host = "127.0.0.1"): Promise<number> {
  assertLoopbackHost(host);
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Stops a test server: drops its open connections, waits for it to close, removes its temp directory. */
export async function stopServer(server: http.Server, dir?: string): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
}
