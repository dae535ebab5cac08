import "server-only";
import type http from "node:http";
import net from "node:net";
import { closeDb } from "@/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { stopJobRunner } from "./jobs";
import { markClosing, requestsInFlight, trackedServers, whenIdle } from "./request-hooks";
import { createShutdownSequence, type ShutdownPhase, type ShutdownSequence } from "./shutdown-sequence";

/**
 * Berth's graceful shutdown on SIGTERM and SIGINT (the sequence: ./shutdown-sequence.ts).
 *
 * It is installed only when `NEXT_MANUAL_SIG_HANDLE` is set: without it Next.js installs its own
 * handler, which stops at once and exits 143, and two handlers would race. Whatever starts the
 * server sets it (`npm start`, the standalone server, the container image, the e2e harness).
 * The servers to close are the ones the request hooks saw (./request-hooks.ts).
 */
const globalForShutdown = globalThis as unknown as { berthShutdown?: ShutdownSequence };

/** The phase of this process's shutdown (`serving` until a signal arrived). */
export function shutdownPhase(): ShutdownPhase {
  return globalForShutdown.berthShutdown?.phase() ?? "serving";
}

/** After the listening socket closes, connections accepted just before get this long to send their request. */
const ACCEPTED_GRACE_MS = 1000;

/**
 * Stops accepting and resolves once every connection has ended. `http.Server#close` would also
 * close the idle connections at once, and a connection accepted a moment earlier whose request
 * has not been read yet counts as idle: it would be reset under its request. So the listening
 * socket is closed through `net.Server#close`, and idle connections are closed only after
 * {@link ACCEPTED_GRACE_MS} (keep-alive ones would hold the close until their timeout).
 */
function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    let idleTimer: NodeJS.Timeout | undefined;
    const grace = setTimeout(() => {
      server.closeIdleConnections();
      idleTimer = setInterval(() => server.closeIdleConnections(), 100);
    }, ACCEPTED_GRACE_MS);
    net.Server.prototype.close.call(server, () => {
      clearTimeout(grace);
      clearInterval(idleTimer);
      resolve();
    });
  });
}

export function installShutdownHandlers(): void {
  if (globalForShutdown.berthShutdown) return;
  if (!process.env.NEXT_MANUAL_SIG_HANDLE) {
    log.info("NEXT_MANUAL_SIG_HANDLE is not set: Next.js handles SIGTERM (no drain; exit 143)");
    return;
  }
  const e = env();
  const sequence = createShutdownSequence(
    {
      // Keep-alive clients reconnect (through the load balancer, elsewhere) after each answer, so
      // that no idle connection is left to close under a request when accepting stops.
      beginDrain: markClosing,
      async stopAccepting() {
        const servers = trackedServers();
        log.info({ servers: servers.length, inFlight: requestsInFlight() }, "shutdown: closing the listening sockets");
        // Closing a listening socket resets the connections still waiting in the kernel's accept
        // queue (Node accepts them only between callbacks): their requests never reached Berth,
        // and a load balancer retries them elsewhere. Behind one, the drain has already moved the
        // traffic away by now.
        await Promise.all([...servers.map(closeServer), whenIdle()]);
      },
      forceClose() {
        for (const server of trackedServers()) server.closeAllConnections();
      },
      stopJobs: async (budgetMs) => {
        const { aborted, stillRunning } = await stopJobRunner(budgetMs);
        return { cutShort: aborted + stillRunning > 0 };
      },
      closeDatabase: (budgetMs) => closeDb({ timeoutMs: budgetMs }),
      exit: (code) => {
        log.flush?.();
        process.exit(code);
      },
      log: (fields, message) => log.info(fields, message),
    },
    { drainMs: e.BERTH_DRAIN_MS, timeoutMs: e.BERTH_SHUTDOWN_TIMEOUT_MS },
  );
  globalForShutdown.berthShutdown = sequence;
  for (const name of ["SIGTERM", "SIGINT"] as const) {
    process.on(name, () => void sequence.signal(name));
  }
  log.info({ drainMs: e.BERTH_DRAIN_MS, timeoutMs: e.BERTH_SHUTDOWN_TIMEOUT_MS }, "graceful shutdown on SIGTERM and SIGINT");
}
