/**
 * A loopback TCP relay in front of PostgreSQL that records the statements a client sends
 * (extended protocol Parse + Bind, and simple Query), so a benchmark can replay exactly the SQL
 * one request runs. Plain TCP only (the benchmark connects to 127.0.0.1 without TLS).
 */
import net from "node:net";

export interface CapturedStatement {
  text: string;
  params: (string | null)[];
}

export interface PgCapture {
  port: number;
  /** Statements since the last `mark()`. */
  since: () => CapturedStatement[];
  mark: () => void;
  close: () => Promise<void>;
}

export async function startPgCapture(target: { host: string; port: number }): Promise<PgCapture> {
  let log: CapturedStatement[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let started = false;
    const parsed = new Map<string, string>(); // statement name → text
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (!started) {
          if (buf.length < 8) return;
          const len = buf.readUInt32BE(0);
          if (buf.length < len) return;
          const code = buf.readUInt32BE(4);
          buf = buf.subarray(len);
          if (code !== 80877103) started = true; // not an SSLRequest: the startup message
          continue;
        }
        if (buf.length < 5) return;
        const type = String.fromCharCode(buf[0]!);
        const len = buf.readUInt32BE(1);
        if (buf.length < 1 + len) return;
        const body = buf.subarray(5, 1 + len);
        buf = buf.subarray(1 + len);
        if (type === "P") {
          const nameEnd = body.indexOf(0);
          const name = body.subarray(0, nameEnd).toString();
          const textEnd = body.indexOf(0, nameEnd + 1);
          parsed.set(name, body.subarray(nameEnd + 1, textEnd).toString());
        } else if (type === "B") {
          let o = body.indexOf(0) + 1; // portal
          const stmtEnd = body.indexOf(0, o);
          const stmt = body.subarray(o, stmtEnd).toString();
          o = stmtEnd + 1;
          const nFormats = body.readInt16BE(o);
          o += 2 + 2 * nFormats;
          const nParams = body.readInt16BE(o);
          o += 2;
          const params: (string | null)[] = [];
          for (let i = 0; i < nParams; i++) {
            const l = body.readInt32BE(o);
            o += 4;
            if (l < 0) params.push(null);
            else {
              params.push(body.subarray(o, o + l).toString("utf8"));
              o += l;
            }
          }
          log.push({ text: parsed.get(stmt) ?? "", params });
        } else if (type === "Q") {
          log.push({ text: body.subarray(0, body.length - 1).toString(), params: [] });
        }
      }
    });
    upstream.on("data", (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    since: () => [...log],
    mark: () => {
      log = [];
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * The statements a running build sends for the given requests: a second server on the same
 * build and database, connected through the relay, is warmed up, then each URL is fetched once.
 */
export async function captureRequestStatements(opts: {
  databaseUrl: string;
  distDir: string;
  paths: string[];
  headers: Record<string, string>;
}): Promise<CapturedStatement[][]> {
  const { startServer, sleep } = await import("./lib");
  const u = new URL(opts.databaseUrl);
  const capture = await startPgCapture({ host: u.hostname, port: Number(u.port || 5432) });
  const viaRelay = new URL(u);
  viaRelay.port = String(capture.port);
  const probe = await startServer({ distDir: opts.distDir, env: { DATABASE_URL: viaRelay.toString() } });
  try {
    const out: CapturedStatement[][] = [];
    for (const p of opts.paths) {
      for (let i = 0; i < 30; i++) await (await fetch(probe.url + p, { headers: opts.headers })).text();
      await sleep(1500); // a write after a response (the token's last use) has finished
      capture.mark();
      const res = await fetch(probe.url + p, { headers: opts.headers });
      await res.text();
      if (!res.ok) throw new Error(`${p} answered ${res.status}`);
      await sleep(300);
      out.push(capture.since());
    }
    return out;
  } finally {
    await probe.stop();
    await capture.close();
  }
}
