import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startBerth, type BerthServer } from "./server";
import { postgresServerUrl } from "./database";

/**
 * Several Berth instances on one fresh PostgreSQL database behind nginx (round robin on
 * loopback), as an operator runs them: one shared ENCRYPTION_KEYS and AUTH_SECRET, and
 * BERTH_TRUSTED_PROXIES=127.0.0.1/32 so the caller's address comes from the X-Forwarded-For
 * nginx appends. Everything listens on 127.0.0.1 and is stopped by PID.
 */
export interface BerthCluster {
  /** nginx, the address clients use. */
  url: string;
  instances: BerthServer[];
  /** The instances' `X-Berth-Instance` ids, in the order of `instances`. */
  instanceIds: string[];
  databaseUrl: string;
  nginxPid: number;
  /** Requests nginx passed on, per upstream port (from its access log). */
  servedByPort: () => Promise<Map<number, number>>;
  stop: () => Promise<void>;
}

export interface ClusterOptions {
  /** Instances; default 3. */
  size?: number;
  /** Extra environment for every instance (e.g. small rate limits, BERTH_ADMIN_*). */
  env?: Record<string, string>;
}

/** Runs one statement with psql on `database`; returns its unaligned output. */
export function psql(database: URL | string, statement: string): string {
  const r = spawnSync("psql", [database.toString(), "-v", "ON_ERROR_STOP=1", "-qAtc", statement], { encoding: "utf8" });
  if (r.error) throw new Error(`psql could not run (${r.error.message}); install postgresql-client`);
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function nginxBinary(): string {
  for (const candidate of [process.env.NGINX_BIN, "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  throw new Error("nginx is not installed (Debian: apt-get install -y nginx)");
}

/**
 * An nginx configuration that runs in the foreground from `dir` alone (pid, logs and temp paths
 * there), so it starts as root and as an unprivileged user alike.
 */
export function nginxConfig(dir: string, listenPort: number, upstreamPorts: number[]): string {
  const p = (name: string) => path.join(dir, name);
  return `daemon off;
worker_processes 1;
pid ${p("nginx.pid")};
error_log ${p("error.log")} warn;
events { worker_connections 1024; }
http {
  log_format upstream '$remote_addr $status upstream=$upstream_addr';
  access_log ${p("access.log")} upstream;
  client_body_temp_path ${p("client_body")};
  proxy_temp_path ${p("proxy")};
  fastcgi_temp_path ${p("fastcgi")};
  uwsgi_temp_path ${p("uwsgi")};
  scgi_temp_path ${p("scgi")};
  client_max_body_size 20m;
  upstream berth {
${upstreamPorts.map((port) => `    server 127.0.0.1:${port};`).join("\n")}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://berth;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 120s;
    }
  }
}
`;
}

async function waitFor(url: string, child: ChildProcess, output: () => string, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer within 30 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function instanceIdOf(url: string): Promise<string> {
  const res = await fetch(`${url}/api/health`);
  const id = res.headers.get("x-berth-instance");
  if (!id) throw new Error(`${url} sent no X-Berth-Instance header`);
  return id;
}

/** Starts the instances at once on a fresh database, then nginx in front of them. */
export async function startCluster(options: ClusterOptions = {}): Promise<BerthCluster> {
  const size = options.size ?? 3;
  const server = postgresServerUrl();
  const dbName = `berth_cluster_${Date.now()}_${process.pid}_${randomBytes(3).toString("hex")}`;
  psql(server, `create database ${dbName}`);
  const databaseUrl = new URL(server);
  databaseUrl.pathname = `/${dbName}`;
  const shared = {
    DATABASE_URL: databaseUrl.toString(),
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    AUTH_SECRET: randomBytes(33).toString("base64url"),
    BERTH_TRUSTED_PROXIES: "127.0.0.1/32",
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-nginx-"));
  // nginx's workers run as nobody when it starts as root: they must reach their temp paths.
  fs.chmodSync(dir, 0o755);
  const instances: BerthServer[] = [];
  let nginx: ChildProcess | undefined;

  const stop = async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once("exit", r));
      nginx.kill("SIGTERM");
      const timer = setTimeout(() => nginx!.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await Promise.all(instances.map((i) => i.stop()));
    try {
      psql(server, `drop database if exists ${dbName} with (force)`);
    } catch {
      // best effort: the CI database server is thrown away with the machine
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const started = await Promise.allSettled(Array.from({ length: size }, () => startBerth({ ...shared, ...options.env })));
    for (const s of started) if (s.status === "fulfilled") instances.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;

    const port = await freePort();
    fs.writeFileSync(path.join(dir, "nginx.conf"), nginxConfig(dir, port, instances.map((i) => i.port)));
    let output = "";
    nginx = spawn(nginxBinary(), ["-p", dir, "-e", path.join(dir, "error.log"), "-c", path.join(dir, "nginx.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    nginx.stdout!.on("data", (d) => (output += String(d)));
    nginx.stderr!.on("data", (d) => (output += String(d)));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}/api/ready`, nginx, () => output + readIfExists(path.join(dir, "error.log")), "nginx");

    const instanceIds = await Promise.all(instances.map((i) => instanceIdOf(i.url)));
    const nginxPid = nginx.pid!;
    return {
      url,
      instances,
      instanceIds,
      databaseUrl: shared.DATABASE_URL,
      nginxPid,
      servedByPort: async () => {
        // nginx writes its access log line as each response ends; give the last one a moment.
        await new Promise((r) => setTimeout(r, 50));
        const counts = new Map<number, number>();
        for (const line of readIfExists(path.join(dir, "access.log")).split("\n")) {
          const upstream = /upstream=(.*)$/.exec(line)?.[1] ?? "";
          for (const m of upstream.matchAll(/127\.0\.0\.1:(\d+)/g)) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
        }
        return counts;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
