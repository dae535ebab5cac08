/**
 * A fake Amazon ECR API endpoint for tests: a loopback HTTPS server that plays the AWS JSON 1.1
 * operation `GetAuthorizationToken` (what `AWS_ENDPOINT_URL_ECR` points at). It checks each request
 * the way AWS does, in this order: the operation and body, the `Authorization` header and its
 * credential scope, the clock (`X-Amz-Date` within 5 minutes), the session token, and the SigV4
 * signature, which it verifies independently of the client's signer: it rebuilds the request from
 * what arrived (the headers named in `SignedHeaders` only, the raw body) and signs it again with
 * `@smithy/signature-v4`, the AWS SDK's signer. Then the behaviour set by the test decides the
 * answer: a token (`base64("AWS:" + password)`), an AWS JSON error, an HTML page or a bare status.
 *
 * Errors are AWS JSON 1.1 errors: `Content-Type: application/x-amz-json-1.1`,
 * `x-amzn-ErrorType: <Type>` and `{"__type":"<Type>","message":"…"}`, status 400 unless said.
 * Only `X-Amz-Date` is accepted as the signing date (not `Date`), and only the
 * `Authorization` header (not presigned query parameters), which is what SDKs and aws4fetch send.
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { issueServerCert, LOCAL_SANS, type TestCa } from "./registry-certs";
import { assertLoopbackHost, hostPort, stopServer } from "./registry-net";

export interface FakeEcrKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials: requests must carry and sign `X-Amz-Security-Token` equal to it. */
  sessionToken?: string;
  /** The key's AWS account: 12 digits. */
  account: string;
}

export type FakeEcrBehaviour =
  /** Default: a real answer. */
  | { kind: "token" }
  /** An AWS JSON error, e.g. AccessDeniedException, ThrottlingException, RequestExpired; status 400 unless given. */
  | { kind: "error"; type: string; message?: string; status?: number }
  /** A 200 `text/html` page: not an AWS JSON answer (a captive portal, a proxy's sign-in page). */
  | { kind: "html" }
  /** Anything else, e.g. 500 or 503, with an optional `text/plain` body. */
  | { kind: "status"; status: number; body?: string };

export interface FakeEcrOptions {
  /** The server certificate is issued by this CA (SANs localhost, 127.0.0.1). */
  ca: TestCa;
  keys: FakeEcrKey[];
  /** The signing region it expects, e.g. "us-east-1". */
  region: string;
  /**
   * What `proxyEndpoint` to return: a function of (account, registryIds requested) so a test can point
   * it at its htpasswd registry. Called once per `authorizationData` entry: with `undefined` when the
   * request names no registries, else once per requested id with that one id (`[id]`).
   */
  proxyEndpoint: (account: string, registryIds: string[] | undefined) => string;
  /** The registry password: authorizationToken = base64("AWS:" + password). */
  password: string;
  /** Token lifetime; default 12 * 3600. `expiresAt` = the fake's clock + this. */
  expiresInSeconds?: number;
  /** The fake's clock offset: requests whose `X-Amz-Date` is more than 5 minutes from `Date.now() + clockSkewSeconds * 1000` are refused. */
  clockSkewSeconds?: number;
  /** Optional delay before answering each request (for concurrency tests). */
  latencyMs?: number;
}

export interface FakeEcrRequest {
  /** `Date.now()` (the real clock) when the request arrived. */
  at: number;
  accessKeyId?: string;
  target?: string;
  contentType?: string;
  registryIds?: string[];
  hadSessionToken: boolean;
  /** The answer's status; 0 while the request is still being answered. */
  status: number;
  errorType?: string;
}

export interface RunningFakeEcr {
  /** "https://127.0.0.1:PORT" (what AWS_ENDPOINT_URL_ECR is set to). */
  url: string;
  port: number;
  /** Every request received, in order of arrival. Never holds a secret, session token or signature. */
  requests: FakeEcrRequest[];
  setBehaviour(b: FakeEcrBehaviour): void;
  setPassword(p: string): void;
  setExpiresInSeconds(s: number): void;
  stop(): Promise<void>;
}

/** The `X-Amz-Target` of ECR's GetAuthorizationToken. */
export const ECR_GET_AUTHORIZATION_TOKEN_TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
/** The content type of AWS JSON 1.1 requests and answers. */
export const AMZ_JSON_1_1 = "application/x-amz-json-1.1";

const SIGNING_SERVICE = "ecr";
const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 5 * 60 * 1000;
const MAX_BODY_BYTES = 64 * 1024;
const LISTEN_HOST = "127.0.0.1";
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const INVALID_TOKEN = "The security token included in the request is invalid.";

/** An AWS JSON error, thrown by the checks and turned into the answer. */
class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 (and HMAC-SHA256 when given a secret) from `node:crypto`, as smithy's `Checksum`. */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.create();
  }

  private create(): Hash | Hmac {
    if (this.secret === undefined) return createHash("sha256");
    const secret = this.secret;
    if (typeof secret === "string") return createHmac("sha256", secret);
    return createHmac("sha256", ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret));
  }
}

interface ParsedAuthorization {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=…, Signature=…`. */
function parseAuthorization(header: string): ParsedAuthorization {
  const prefix = `${ALGORITHM} `;
  if (!header.startsWith(prefix)) {
    throw new AwsError("IncompleteSignatureException", `Authorization header requires the '${ALGORITHM}' algorithm. Authorization=${header.split(" ")[0] ?? ""}`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(prefix.length).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ["Credential", "SignedHeaders", "Signature"]) {
    if (!fields.get(name)) throw new AwsError("IncompleteSignatureException", `Authorization header requires '${name}' parameter.`);
  }
  const scope = (fields.get("Credential") ?? "").split("/");
  const [accessKeyId, scopeDate, region, service, terminator] = scope;
  if (scope.length !== 5 || !accessKeyId || !scopeDate || !region || !service || terminator !== "aws4_request") {
    throw new AwsError("IncompleteSignatureException", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.");
  }
  return {
    accessKeyId,
    scopeDate,
    region,
    service,
    signedHeaders: (fields.get("SignedHeaders") ?? "").split(";").filter(Boolean),
    signature: fields.get("Signature") ?? "",
  };
}

/** `YYYYMMDD'T'HHMMSS'Z'` → Date; undefined unless it is exactly that and a real instant. */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
  return Number.isNaN(date.getTime()) || formatAmzDate(date) !== value ? undefined : date;
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** AWS's wording for a request dated more than 5 minutes from the server's clock; undefined when it is in time. */
function clockError(amzDate: string, requestTime: number, now: number): AwsError | undefined {
  if (requestTime < now - MAX_SKEW_MS) {
    return new AwsError(
      "InvalidSignatureException",
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now - MAX_SKEW_MS))} (${formatAmzDate(new Date(now))} - 5 min.)`,
    );
  }
  if (requestTime > now + MAX_SKEW_MS) {
    return new AwsError(
      "InvalidSignatureException",
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(now + MAX_SKEW_MS))} (${formatAmzDate(new Date(now))} + 5 min.)`,
    );
  }
  return undefined;
}

/** Epoch seconds as AWS writes them in JSON: Java's `Double.toString`, e.g. `1.764806400123E9`. */
function awsEpochSeconds(ms: number): string {
  const [mantissa = "0", exponent = "0"] = (ms / 1000).toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${exponent.replace(/^\+/, "")}`;
}

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  return req.headersDistinct[name]?.[0];
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error("body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Step 1: `POST /`, the GetAuthorizationToken target, AWS JSON 1.1, a JSON object body. Returns the registry ids asked for. */
function checkOperation(req: IncomingMessage, url: URL, body: Buffer): string[] | undefined {
  const target = firstHeader(req, "x-amz-target");
  if (req.method !== "POST" || url.pathname !== "/" || target !== ECR_GET_AUTHORIZATION_TOKEN_TARGET) {
    throw new AwsError("UnknownOperationException", "The requested operation is not recognized.");
  }
  const mediaType = (firstHeader(req, "content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== AMZ_JSON_1_1) {
    throw new AwsError("SerializationException", `Content-Type must be ${AMZ_JSON_1_1}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new AwsError("SerializationException", "The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AwsError("SerializationException", "The request body must be a JSON object.");
  }
  const registryIds = (parsed as { registryIds?: unknown }).registryIds;
  if (registryIds === undefined) return undefined;
  if (!Array.isArray(registryIds) || !registryIds.every((id): id is string => typeof id === "string")) {
    throw new AwsError("SerializationException", "registryIds must be a list of strings.");
  }
  if (registryIds.length < 1 || registryIds.length > 10 || !registryIds.every((id) => /^[0-9]{12}$/.test(id))) {
    throw new AwsError("InvalidParameterException", "registryIds must hold 1 to 10 registry ids of 12 digits.");
  }
  return registryIds;
}

function defaultErrorMessage(type: string, account: string): string {
  if (type === "AccessDeniedException") {
    return `User: arn:aws:iam::${account}:user/berth-test is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action`;
  }
  if (type === "ThrottlingException") return "Rate exceeded";
  if (type === "RequestExpired") return "Request has expired.";
  return `${type} (from the fake ECR endpoint)`;
}

/** Starts a fake ECR endpoint over HTTPS on a free loopback port. */
export async function startFakeEcr(options: FakeEcrOptions): Promise<RunningFakeEcr> {
  assertLoopbackHost(LISTEN_HOST);
  const keys = new Map<string, FakeEcrKey>();
  for (const key of options.keys) {
    if (!/^[0-9]{12}$/.test(key.account)) throw new Error(`fake ECR key ${key.accessKeyId}: account must be 12 digits, not ${key.account}`);
    if (keys.has(key.accessKeyId)) throw new Error(`fake ECR key ${key.accessKeyId} is given twice`);
    keys.set(key.accessKeyId, key);
  }
  if (!options.region) throw new Error("fake ECR needs a signing region");

  let behaviour: FakeEcrBehaviour = { kind: "token" };
  let password = options.password;
  let expiresInSeconds = options.expiresInSeconds ?? 12 * 3600;
  const skewMs = (options.clockSkewSeconds ?? 0) * 1000;
  const requests: FakeEcrRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let port = 0;

  const fakeNow = () => Date.now() + skewMs;

  const answer = async (res: ServerResponse, record: FakeEcrRequest, status: number, headers: Record<string, string>, body: string) => {
    if (options.latencyMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, options.latencyMs);
        timers.add(timer);
      });
    }
    record.status = status;
    res.writeHead(status, headers);
    res.end(body);
  };

  const answerError = (res: ServerResponse, record: FakeEcrRequest, error: AwsError) => {
    record.errorType = error.type;
    return answer(
      res,
      record,
      error.status,
      { "Content-Type": AMZ_JSON_1_1, "x-amzn-ErrorType": error.type },
      JSON.stringify({ __type: error.type, message: error.message }),
    );
  };

  /** Steps 2–5; returns the key whose secret signed the request. */
  const authenticate = async (req: IncomingMessage, url: URL, body: Buffer, record: FakeEcrRequest): Promise<FakeEcrKey> => {
    const authorization = firstHeader(req, "authorization");
    if (!authorization) throw new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token");
    const auth = parseAuthorization(authorization);
    record.accessKeyId = auth.accessKeyId;
    const key = keys.get(auth.accessKeyId);
    if (!key) throw new AwsError("UnrecognizedClientException", INVALID_TOKEN);
    if (auth.region !== options.region) {
      throw new AwsError("InvalidSignatureException", "Credential should be scoped to a valid region. ");
    }
    if (auth.service !== SIGNING_SERVICE) {
      throw new AwsError("InvalidSignatureException", `Credential should be scoped to correct service: '${SIGNING_SERVICE}'. `);
    }
    if (!auth.signedHeaders.includes("host")) {
      throw new AwsError("InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }

    // 3. The clock.
    const amzDate = firstHeader(req, "x-amz-date");
    if (!amzDate) {
      throw new AwsError("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    const signingDate = parseAmzDate(amzDate);
    if (!signingDate) {
      throw new AwsError("IncompleteSignatureException", `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'", not '${amzDate}'.`);
    }
    const late = clockError(amzDate, signingDate.getTime(), fakeNow());
    if (late) throw late;
    if (auth.scopeDate !== amzDate.slice(0, 8)) {
      throw new AwsError(
        "InvalidSignatureException",
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      );
    }

    // 4. The session token: present, equal and signed for temporary keys; absent otherwise.
    const token = firstHeader(req, "x-amz-security-token");
    if (key.sessionToken !== undefined) {
      const given = Buffer.from(token ?? "");
      const expected = Buffer.from(key.sessionToken);
      if (token === undefined || given.length !== expected.length || !timingSafeEqual(given, expected) || !auth.signedHeaders.includes("x-amz-security-token")) {
        throw new AwsError("UnrecognizedClientException", INVALID_TOKEN);
      }
    } else if (token !== undefined) {
      throw new AwsError("UnrecognizedClientException", INVALID_TOKEN);
    }

    // smithy takes a present X-Amz-Content-Sha256 as the payload hash instead of hashing the body:
    // AWS compares it with the body, so does the fake (else a tampered body would pass).
    const contentSha256 = firstHeader(req, "x-amz-content-sha256");
    if (contentSha256 !== undefined && contentSha256 !== createHash("sha256").update(body).digest("hex")) {
      throw new AwsError("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    // 5. The signature, recomputed by smithy from the signed headers only.
    const expected = await expectedSignature(req, url, body, key, auth, signingDate);
    const given = Buffer.from(auth.signature);
    const wanted = Buffer.from(expected);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new AwsError("InvalidSignatureException", SIGNATURE_MISMATCH);
    }
    return key;
  };

  const expectedSignature = async (
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    key: FakeEcrKey,
    auth: ParsedAuthorization,
    signingDate: Date,
  ): Promise<string> => {
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const values = req.headersDistinct[name];
      if (values) headers[name] = values.join(",");
    }
    const query: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) (query[name] ??= []).push(value);
    const request = new HttpRequest({
      method: req.method ?? "",
      protocol: "https:",
      hostname: LISTEN_HOST,
      port,
      path: url.pathname,
      query,
      headers,
      body,
    });
    const signer = new SignatureV4({
      service: SIGNING_SERVICE,
      region: options.region,
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken },
      sha256: NodeSha256,
      // Do not add an X-Amz-Content-Sha256 header the client did not sign.
      applyChecksum: false,
    });
    // `signableHeaders`: smithy otherwise drops headers it never signs itself (user-agent, …) even when the client signed them.
    const signed = await signer.sign(request, { signingDate, signableHeaders: new Set(auth.signedHeaders) });
    const authorization = String(signed.headers.authorization ?? "");
    return /Signature=([0-9a-f]+)$/.exec(authorization)?.[1] ?? "";
  };

  const tokenAnswer = (key: FakeEcrKey, registryIds: string[] | undefined): string => {
    const authorizationToken = Buffer.from(`AWS:${password}`).toString("base64");
    const expiresAt = awsEpochSeconds(fakeNow() + expiresInSeconds * 1000);
    const entries = (registryIds ?? [undefined]).map((id) => {
      const proxyEndpoint = options.proxyEndpoint(key.account, id === undefined ? undefined : [id]);
      return `{"authorizationToken":${JSON.stringify(authorizationToken)},"expiresAt":${expiresAt},"proxyEndpoint":${JSON.stringify(proxyEndpoint)}}`;
    });
    return `{"authorizationData":[${entries.join(",")}]}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, record: FakeEcrRequest) => {
    const url = new URL(req.url ?? "/", "https://ecr.invalid");
    const body = await readBody(req);
    let key: FakeEcrKey;
    let registryIds: string[] | undefined;
    try {
      registryIds = checkOperation(req, url, body);
      record.registryIds = registryIds;
      key = await authenticate(req, url, body, record);
    } catch (error) {
      if (error instanceof AwsError) return answerError(res, record, error);
      throw error;
    }
    const current = behaviour;
    switch (current.kind) {
      case "token":
        return answer(res, record, 200, { "Content-Type": AMZ_JSON_1_1 }, tokenAnswer(key, registryIds));
      case "error":
        return answerError(res, record, new AwsError(current.type, current.message ?? defaultErrorMessage(current.type, key.account), current.status ?? 400));
      case "html":
        return answer(
          res,
          record,
          200,
          { "Content-Type": "text/html; charset=utf-8" },
          "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1></body></html>",
        );
      case "status":
        return answer(res, record, current.status, { "Content-Type": "text/plain; charset=utf-8" }, current.body ?? "");
    }
  };

  const dir = mkdtempSync(path.join(os.tmpdir(), "berth-fake-ecr-"));
  try {
    const cert = issueServerCert(options.ca, dir, "fake-ecr", LOCAL_SANS);
    const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      const record: FakeEcrRequest = {
        at: Date.now(),
        target: firstHeader(req, "x-amz-target"),
        contentType: firstHeader(req, "content-type"),
        hadSessionToken: req.headersDistinct["x-amz-security-token"] !== undefined,
        status: 0,
      };
      requests.push(record);
      handle(req, res, record).catch((error: unknown) => {
        record.status = 500;
        record.errorType = "InternalFailure";
        if (!res.headersSent) res.writeHead(500, { "Content-Type": AMZ_JSON_1_1, "x-amzn-ErrorType": "InternalFailure" });
        res.end(JSON.stringify({ __type: "InternalFailure", message: String(error) }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, LISTEN_HOST, resolve);
    });
    port = (server.address() as AddressInfo).port;
    return {
      url: `https://${hostPort(LISTEN_HOST, port)}`,
      port,
      requests,
      setBehaviour: (b) => {
        behaviour = b;
      },
      setPassword: (p) => {
        password = p;
      },
      setExpiresInSeconds: (s) => {
        expiresInSeconds = s;
      },
      stop: async () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        await stopServer(server, dir);
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
