/**
 * A tiny registry token server (the Docker Registry token authentication protocol) for
 * tests: `GET /token` with Basic credentials, and the OAuth2 `POST /token`
 * form. Issues ES256 JWTs with an `x5c` header whose certificate is the
 * registry's `rootcertbundle`, granting what the scope asked for limited by a
 * per-user ACL.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { importPKCS8, SignJWT } from "jose";
import { createSigningCert, issueServerCert, LOCAL_SANS, type TestCa } from "./registry-certs";
import { assertLoopbackHost, hostPort, stopServer } from "./registry-net";

/** user → repository name (or "*") → allowed actions. User "" is anonymous. */
export type TokenAcl = Record<string, Record<string, string[]>>;

export interface TokenServerOptions {
  service: string;
  issuer: string;
  /** username → password accepted with Basic or the password grant. */
  users: Record<string, string>;
  acl?: TokenAcl;
  /** Serve HTTPS with a certificate from this CA (SANs localhost, 127.0.0.1). */
  tls?: { ca: TestCa; sans?: readonly string[] };
  /** Loopback address to listen on; default 127.0.0.1. */
  listenHost?: string;
  /** `oauth` answers the POST form (default); `not-found` answers POST with 404. */
  post?: "oauth" | "not-found";
  /** Token lifetime in seconds; default 300. */
  expiresIn?: number;
}

export interface TokenRequestRecord {
  method: string;
  path: string;
  query: Record<string, string[]>;
  /** Form fields of a POST, with `password` and `refresh_token` removed. */
  form?: Record<string, string>;
  basicUser?: string;
  status: number;
}

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface RunningTokenServer {
  /** `https://127.0.0.1:PORT/token`: the registry's `auth.token.realm`. */
  realm: string;
  port: number;
  /** PEM of the JWT signer certificate: the registry's `rootcertbundle`. */
  signerCertPem: string;
  requests: TokenRequestRecord[];
  stop(): Promise<void>;
}

const TOKEN_PATH = "/token";

interface Signer {
  sign(subject: string, access: AccessEntry[]): Promise<string>;
  certPem: string;
}

async function createSigner(dir: string, options: TokenServerOptions): Promise<Signer> {
  const cert = createSigningCert(dir);
  const key = await importPKCS8(cert.keyPem, "ES256");
  const expiresIn = options.expiresIn ?? 300;
  return {
    certPem: cert.certPem,
    sign: (subject, access) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ access })
        .setProtectedHeader({ alg: "ES256", typ: "JWT", x5c: [cert.certDerBase64] })
        .setIssuer(options.issuer)
        .setSubject(subject)
        .setAudience(options.service) // a string, as distribution expects
        .setIssuedAt(now)
        .setNotBefore(now - 10)
        .setExpirationTime(now + expiresIn)
        .setJti(randomUUID())
        .sign(key);
    },
  };
}

/** Parses `repository:NAME:pull,push` scopes (several per parameter, space separated). */
export function parseScopes(scopes: string[]): AccessEntry[] {
  return scopes
    .flatMap((scope) => scope.split(" "))
    .filter(Boolean)
    .flatMap((scope) => {
      const first = scope.indexOf(":");
      const last = scope.lastIndexOf(":");
      if (first < 0 || last <= first) return [];
      return [{ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(",") }];
    });
}

/** What `user` may do: the requested actions that its ACL allows. */
export function grantAccess(acl: TokenAcl, user: string, requested: AccessEntry[]): AccessEntry[] {
  const rules = acl[user] ?? {};
  return requested
    .map((entry) => {
      const allowed = rules[entry.name] ?? rules["*"] ?? [];
      return { ...entry, actions: entry.actions.filter((action) => allowed.includes(action) || allowed.includes("*")) };
    })
    .filter((entry) => entry.type === "repository" && entry.actions.length > 0);
}

function basicCredentials(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization ?? "";
  const match = /^basic\s+(.+)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) req.destroy(new Error("form too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function queryRecord(params: URLSearchParams): Record<string, string[]> {
  const record: Record<string, string[]> = {};
  for (const [key, value] of params) (record[key] ??= []).push(value);
  return record;
}

interface Handler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
}

function createHandler(options: TokenServerOptions, signer: Signer, requests: TokenRequestRecord[]): Handler {
  const acl = options.acl ?? {};
  const checkUser = (user: string, password: string) => options.users[user] !== undefined && options.users[user] === password;

  const issue = async (res: ServerResponse, user: string, scopes: string[]) => {
    const access = grantAccess(acl, user, parseScopes(scopes));
    const token = await signer.sign(user, access);
    sendJson(res, 200, {
      token,
      access_token: token,
      expires_in: options.expiresIn ?? 300,
      issued_at: new Date().toISOString(),
    });
  };

  const handleGet = async (req: IncomingMessage, res: ServerResponse, url: URL, record: TokenRequestRecord) => {
    const credentials = basicCredentials(req);
    record.basicUser = credentials?.user;
    if (credentials && !checkUser(credentials.user, credentials.password)) {
      record.status = 401;
      sendJson(res, 401, { details: "incorrect username or password" }, { "WWW-Authenticate": 'Basic realm="token"' });
      return;
    }
    record.status = 200;
    await issue(res, credentials?.user ?? "", url.searchParams.getAll("scope"));
  };

  const handlePost = async (req: IncomingMessage, res: ServerResponse, record: TokenRequestRecord) => {
    if (options.post === "not-found") {
      record.status = 404;
      sendJson(res, 404, { error: "not found" });
      return;
    }
    const form = await readForm(req);
    record.form = Object.fromEntries([...form].filter(([key]) => key !== "password" && key !== "refresh_token"));
    const grant = form.get("grant_type");
    // Test semantics: a refresh token is the password of the user it belongs to.
    const refreshOwner = Object.keys(options.users).find((name) => options.users[name] === form.get("refresh_token"));
    const user = grant === "refresh_token" ? (refreshOwner ?? "") : (form.get("username") ?? "");
    const ok =
      (grant === "password" && checkUser(user, form.get("password") ?? "")) ||
      (grant === "refresh_token" && refreshOwner !== undefined);
    record.status = ok ? 200 : 401;
    if (!ok) {
      sendJson(res, 401, { error: "invalid_grant" });
      return;
    }
    await issue(res, user, form.getAll("scope"));
  };

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://token.invalid");
    const record: TokenRequestRecord = { method: req.method ?? "", path: url.pathname, query: queryRecord(url.searchParams), status: 0 };
    requests.push(record);
    if (url.pathname !== TOKEN_PATH) {
      record.status = 404;
      sendJson(res, 404, { error: "not found" });
    } else if (req.method === "GET") {
      await handleGet(req, res, url, record);
    } else if (req.method === "POST") {
      await handlePost(req, res, record);
    } else {
      record.status = 405;
      sendJson(res, 405, { error: "method not allowed" });
    }
  };
}

/** Starts a token server on a free loopback port. */
export async function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer> {
  const listenHost = options.listenHost ?? "127.0.0.1";
  assertLoopbackHost(listenHost);
  const dir = mkdtempSync(path.join(os.tmpdir(), "berth-token-"));
  try {
    const signer = await createSigner(dir, options);
    const requests: TokenRequestRecord[] = [];
    const handler = createHandler(options, signer, requests);
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      handler(req, res).catch((error: unknown) => sendJson(res, 500, { error: String(error) }));
    };
    const server = options.tls
      ? https.createServer(tlsServerOptions(options.tls, dir), listener)
      : http.createServer(listener);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, listenHost, resolve);
    });
    const port = (server.address() as AddressInfo).port;
    const scheme = options.tls ? "https" : "http";
    return {
      realm: `${scheme}://${hostPort(listenHost, port)}${TOKEN_PATH}`,
      port,
      signerCertPem: signer.certPem,
      requests,
      stop: async () => {
        await stopServer(server, dir);
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function tlsServerOptions(tls: NonNullable<TokenServerOptions["tls"]>, dir: string): https.ServerOptions {
  const cert = issueServerCert(tls.ca, dir, "token-server", tls.sans ?? LOCAL_SANS);
  return { cert: cert.certPem, key: cert.keyPem };
}
