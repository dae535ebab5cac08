/**
 * A local webhook receiver for tests (127.0.0.1 only): records every request with its raw body
 * and headers, answers with the statuses queued in `answers` (then 200), or holds requests
 * unanswered while `hang` is set. `verified(secret)` checks each request's Berth-Signature the
 * way a user's receiver would. Test code only.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifySignature } from "@/lib/notifications/signing";

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: Date;
}

export async function startWebhookReceiver() {
  const received: Received[] = [];
  const answers: number[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const held: http.ServerResponse[] = [];
  const state = { hang: false };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: new Date() });
      for (const w of waiters.filter((w) => received.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      if (state.hang) {
        held.push(res);
        return;
      }
      const status = answers.shift() ?? 200;
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end(status >= 300 ? `receiver says ${status}` : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/berth`,
    received,
    answers,
    state,
    /** Resolves once `n` requests in all have arrived. */
    waitFor(n: number, timeoutMs = 10_000): Promise<void> {
      if (received.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${n} webhook requests arrived`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    verified(secret: string, r: Received): boolean {
      const header = r.headers["berth-signature"];
      return verifySignature(secret, Array.isArray(header) ? header[0] : header, r.body);
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
