import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsClient } from "aws4fetch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AMZ_JSON_1_1, ECR_GET_AUTHORIZATION_TOKEN_TARGET, startFakeEcr, type FakeEcrKey, type RunningFakeEcr } from "./fake-ecr";
import { createTestCa, type TestCa } from "./registry-certs";

const REGION = "us-east-1";
const PASSWORD = "registry-password-1";
const ACCOUNT = "123456789012";
const PERMANENT: FakeEcrKey = { accessKeyId: "AKIAFAKEPERMANENT01", secretAccessKey: "permanent/secret+key0123456789abcdefABCD", account: ACCOUNT };
const TEMPORARY: FakeEcrKey = {
  accessKeyId: "ASIAFAKETEMPORARY01",
  secretAccessKey: "temporary/secret+key0123456789abcdefABCD",
  sessionToken: "IQoJb3JpZ2luX2VjEFAKE//session+token==",
  account: "210987654321",
};
const REGISTRY_URL = "https://127.0.0.1:5000";
const SIGNATURE_MISMATCH = /^The request signature we calculated does not match the signature you provided\./;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Signed {
  headers: Record<string, string>;
  body: string;
}

interface SignOptions {
  key?: Pick<FakeEcrKey, "accessKeyId" | "secretAccessKey" | "sessionToken">;
  target?: string;
  contentType?: string;
  body?: string;
  method?: string;
  region?: string;
  service?: string;
  path?: string;
  /** Extra headers to send (and sign, if aws4fetch signs them). */
  headers?: Record<string, string>;
  /** aws4fetch's `allHeaders`: sign every header, Content-Type and User-Agent included. */
  allHeaders?: boolean;
}

/** Signs a GetAuthorizationToken request with aws4fetch, as the app does. */
async function sign(url: string, options: SignOptions = {}): Promise<Signed> {
  const key = options.key ?? PERMANENT;
  const client = new AwsClient({
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    sessionToken: key.sessionToken,
    service: options.service ?? "ecr",
    region: options.region ?? REGION,
  });
  const request = await client.sign(`${url}${options.path ?? "/"}`, {
    method: options.method ?? "POST",
    headers: { "X-Amz-Target": options.target ?? ECR_GET_AUTHORIZATION_TOKEN_TARGET, "Content-Type": options.contentType ?? AMZ_JSON_1_1, ...options.headers },
    body: options.body ?? "{}",
    aws: { allHeaders: options.allHeaders },
  });
  return { headers: Object.fromEntries(request.headers), body: await request.text() };
}

let ca: TestCa;
let caDir: string;

/** Sends with node:https, trusting the test CA; `path` and `method` default to `POST /`. */
function send(ecr: RunningFakeEcr, request: Signed, options: { method?: string; path?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: "127.0.0.1", port: ecr.port, method: options.method ?? "POST", path: options.path ?? "/", headers: request.headers, ca: ca.certPem, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}

async function call(ecr: RunningFakeEcr, options: SignOptions = {}): Promise<Answer> {
  return send(ecr, await sign(ecr.url, options), { method: options.method, path: options.path });
}

/** An AWS JSON 1.1 error of `type`: status, both headers and the body agree. */
function expectAwsError(answer: Answer, type: string, message?: RegExp | string, status = 400): void {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toBe(AMZ_JSON_1_1);
  expect(answer.headers["x-amzn-errortype"]).toBe(type);
  const body = JSON.parse(answer.body) as { __type: string; message: string };
  expect(body.__type).toBe(type);
  if (message !== undefined) expect(body.message).toMatch(message);
}

interface AuthorizationData {
  authorizationToken: string;
  expiresAt: number;
  proxyEndpoint: string;
}

function authorizationData(answer: Answer): AuthorizationData[] {
  expect(answer.status).toBe(200);
  expect(answer.headers["content-type"]).toBe(AMZ_JSON_1_1);
  return (JSON.parse(answer.body) as { authorizationData: AuthorizationData[] }).authorizationData;
}

const decode = (token: string) => Buffer.from(token, "base64").toString("utf8");

const proxyCalls: { account: string; registryIds: string[] | undefined }[] = [];

function startWith(extra: { clockSkewSeconds?: number; latencyMs?: number } = {}): Promise<RunningFakeEcr> {
  return startFakeEcr({
    ca,
    keys: [PERMANENT, TEMPORARY],
    region: REGION,
    password: PASSWORD,
    proxyEndpoint: (account, registryIds) => {
      proxyCalls.push({ account, registryIds });
      return registryIds ? `https://${registryIds[0]}.registry.test:5000` : REGISTRY_URL;
    },
    ...extra,
  });
}

beforeAll(() => {
  caDir = mkdtempSync(path.join(os.tmpdir(), "berth-fake-ecr-ca-"));
  ca = createTestCa(caDir);
});

afterAll(() => {
  rmSync(caDir, { recursive: true, force: true });
});

describe("fake ECR endpoint", () => {
  let ecr: RunningFakeEcr;

  beforeAll(async () => {
    ecr = await startWith();
  });

  afterEach(() => {
    ecr.setBehaviour({ kind: "token" });
    ecr.setPassword(PASSWORD);
    ecr.setExpiresInSeconds(12 * 3600);
  });

  afterAll(async () => {
    await ecr.stop();
  });

  it("listens on loopback over HTTPS with a certificate from the test CA", () => {
    expect(ecr.url).toBe(`https://127.0.0.1:${ecr.port}`);
  });

  it("answers a correctly signed request with a token for AWS:password, a proxy endpoint and expiresAt as AWS writes it", async () => {
    const before = Date.now();
    const answer = await call(ecr);
    const data = authorizationData(answer);
    expect(data).toHaveLength(1);
    expect(decode(data[0]!.authorizationToken)).toBe(`AWS:${PASSWORD}`);
    expect(data[0]!.proxyEndpoint).toBe(REGISTRY_URL);
    // AWS sends epoch seconds as a double in Java notation (1.764806400123E9), not an integer or a date string.
    expect(answer.body).toMatch(/"expiresAt":\d\.\d+E9[,}]/);
    expect(data[0]!.expiresAt * 1000).toBeGreaterThanOrEqual(before + 12 * 3600 * 1000 - 1);
    expect(data[0]!.expiresAt * 1000).toBeLessThanOrEqual(Date.now() + 12 * 3600 * 1000 + 1);
    expect(proxyCalls.at(-1)).toEqual({ account: ACCOUNT, registryIds: undefined });
  });

  it("records each request without its secret or signature", async () => {
    const signed = await sign(ecr.url);
    const from = ecr.requests.length;
    const before = Date.now();
    await send(ecr, signed);
    await call(ecr, { key: { ...PERMANENT, secretAccessKey: "wrong" } });
    const recorded = ecr.requests.slice(from);
    expect(recorded).toEqual([
      {
        at: expect.any(Number),
        accessKeyId: PERMANENT.accessKeyId,
        target: ECR_GET_AUTHORIZATION_TOKEN_TARGET,
        contentType: AMZ_JSON_1_1,
        hadSessionToken: false,
        status: 200,
      },
      {
        at: expect.any(Number),
        accessKeyId: PERMANENT.accessKeyId,
        target: ECR_GET_AUTHORIZATION_TOKEN_TARGET,
        contentType: AMZ_JSON_1_1,
        hadSessionToken: false,
        status: 400,
        errorType: "InvalidSignatureException",
      },
    ]);
    expect(recorded[0]!.at).toBeGreaterThanOrEqual(before);
    expect(recorded[1]!.at).toBeGreaterThanOrEqual(recorded[0]!.at);
    const signature = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? "")?.[1];
    expect(signature).toBeDefined();
    const serialized = JSON.stringify(ecr.requests);
    expect(serialized).not.toContain(signature);
    expect(serialized).not.toContain(PERMANENT.secretAccessKey);
  });

  it("returns one entry per requested registry id, asking proxyEndpoint for each", async () => {
    const ids = ["111111111111", "222222222222"];
    const from = proxyCalls.length;
    const data = authorizationData(await call(ecr, { body: JSON.stringify({ registryIds: ids }) }));
    expect(data.map((entry) => entry.proxyEndpoint)).toEqual(["https://111111111111.registry.test:5000", "https://222222222222.registry.test:5000"]);
    expect(data.map((entry) => decode(entry.authorizationToken))).toEqual([`AWS:${PASSWORD}`, `AWS:${PASSWORD}`]);
    expect(proxyCalls.slice(from)).toEqual([
      { account: ACCOUNT, registryIds: ["111111111111"] },
      { account: ACCOUNT, registryIds: ["222222222222"] },
    ]);
    expect(ecr.requests.at(-1)?.registryIds).toEqual(ids);
  });

  it("refuses registry ids that are not 12 digits", async () => {
    expectAwsError(await call(ecr, { body: '{"registryIds":["12345"]}' }), "InvalidParameterException");
    expectAwsError(await call(ecr, { body: '{"registryIds":"123456789012"}' }), "SerializationException");
  });

  it("refuses a wrong secret with InvalidSignatureException", async () => {
    expectAwsError(await call(ecr, { key: { ...PERMANENT, secretAccessKey: `${PERMANENT.secretAccessKey}x` } }), "InvalidSignatureException", SIGNATURE_MISMATCH);
  });

  it("refuses an unknown key id with UnrecognizedClientException", async () => {
    expectAwsError(
      await call(ecr, { key: { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: PERMANENT.secretAccessKey } }),
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
    expect(ecr.requests.at(-1)).toMatchObject({ accessKeyId: "AKIAUNKNOWNKEY000000", status: 400, errorType: "UnrecognizedClientException" });
  });

  it("refuses a request without Authorization with MissingAuthenticationTokenException", async () => {
    const signed = await sign(ecr.url);
    const { authorization, ...unsigned } = signed.headers;
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
    expectAwsError(await send(ecr, { ...signed, headers: unsigned }), "MissingAuthenticationTokenException");
  });

  it("refuses a credential scoped to another region or service", async () => {
    expectAwsError(await call(ecr, { region: "eu-west-1" }), "InvalidSignatureException", /^Credential should be scoped to a valid region/);
    expectAwsError(await call(ecr, { service: "ecr-public" }), "InvalidSignatureException", /^Credential should be scoped to correct service: 'ecr'/);
  });

  it("refuses a body changed after signing", async () => {
    const signed = await sign(ecr.url);
    expectAwsError(await send(ecr, { ...signed, body: `{"registryIds":["${ACCOUNT}"]}` }), "InvalidSignatureException", SIGNATURE_MISMATCH);
    expectAwsError(await send(ecr, { ...signed, body: "{ }" }), "InvalidSignatureException", SIGNATURE_MISMATCH);
  });

  it("refuses a signed header changed after signing (X-Amz-Date, Host)", async () => {
    const signed = await sign(ecr.url);
    const date = signed.headers["x-amz-date"] ?? "";
    expect(signed.headers.authorization).toMatch(/SignedHeaders=host;x-amz-date;x-amz-target,/);
    // Another second of the same day, well within the 5 minutes: only the signature can tell.
    const otherSecond = `${date.slice(0, 13)}${date.slice(13, 15) === "00" ? "01" : "00"}Z`;
    expect(otherSecond).not.toBe(date);
    expectAwsError(await send(ecr, { ...signed, headers: { ...signed.headers, "x-amz-date": otherSecond } }), "InvalidSignatureException", SIGNATURE_MISMATCH);
    expectAwsError(await send(ecr, { ...signed, headers: { ...signed.headers, host: `localhost:${ecr.port}` } }), "InvalidSignatureException", SIGNATURE_MISMATCH);
  });

  it("ignores headers the client did not sign (aws4fetch leaves Content-Type and User-Agent unsigned)", async () => {
    const signed = await sign(ecr.url);
    const changed = { ...signed.headers, "content-type": `${AMZ_JSON_1_1}; charset=utf-8`, "user-agent": "something-else/1.0" };
    const data = authorizationData(await send(ecr, { ...signed, headers: changed }));
    expect(decode(data[0]!.authorizationToken)).toBe(`AWS:${PASSWORD}`);
  });

  it("verifies every header a client chose to sign, User-Agent and Content-Type included", async () => {
    const signed = await sign(ecr.url, { allHeaders: true, headers: { "User-Agent": "berth-test/1.0" } });
    expect(signed.headers.authorization).toMatch(/SignedHeaders=content-type;host;user-agent;x-amz-date;x-amz-target,/);
    expect(authorizationData(await send(ecr, signed))).toHaveLength(1);
    expectAwsError(await send(ecr, { ...signed, headers: { ...signed.headers, "user-agent": "berth-test/1.1" } }), "InvalidSignatureException", SIGNATURE_MISMATCH);
    expectAwsError(
      await send(ecr, { ...signed, headers: { ...signed.headers, "content-type": `${AMZ_JSON_1_1}; charset=utf-8` } }),
      "InvalidSignatureException",
      SIGNATURE_MISMATCH,
    );
  });

  it("refuses another operation, method, path, content type or a body that is not a JSON object", async () => {
    expectAwsError(await call(ecr, { target: "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories" }), "UnknownOperationException");
    expectAwsError(await call(ecr, { method: "PUT" }), "UnknownOperationException");
    expectAwsError(await call(ecr, { path: "/v2/" }), "UnknownOperationException");
    expectAwsError(await call(ecr, { contentType: "application/json" }), "SerializationException");
    expectAwsError(await call(ecr, { body: "not json" }), "SerializationException");
    expectAwsError(await call(ecr, { body: "[]" }), "SerializationException");
  });

  it("refuses a temporary key without its session token, or with another one, and accepts it with the token", async () => {
    expectAwsError(await call(ecr, { key: { ...TEMPORARY, sessionToken: undefined } }), "UnrecognizedClientException", "The security token included in the request is invalid.");
    expect(ecr.requests.at(-1)?.hadSessionToken).toBe(false);
    expectAwsError(await call(ecr, { key: { ...TEMPORARY, sessionToken: `${TEMPORARY.sessionToken}x` } }), "UnrecognizedClientException");

    const signed = await sign(ecr.url, { key: TEMPORARY });
    expect(signed.headers["x-amz-security-token"]).toBe(TEMPORARY.sessionToken);
    expect(signed.headers.authorization).toMatch(/SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target,/);
    const data = authorizationData(await send(ecr, signed));
    expect(decode(data[0]!.authorizationToken)).toBe(`AWS:${PASSWORD}`);
    expect(ecr.requests.at(-1)).toMatchObject({ accessKeyId: TEMPORARY.accessKeyId, hadSessionToken: true, status: 200 });
    expect(JSON.stringify(ecr.requests)).not.toContain(TEMPORARY.sessionToken);
    expect(proxyCalls.at(-1)).toEqual({ account: TEMPORARY.account, registryIds: undefined });
  });

  it("refuses a session token that is not signed, and one sent with a permanent key", async () => {
    const unsignedToken = await sign(ecr.url, { key: { ...TEMPORARY, sessionToken: undefined } });
    const withToken = { ...unsignedToken, headers: { ...unsignedToken.headers, "x-amz-security-token": TEMPORARY.sessionToken ?? "" } };
    expectAwsError(await send(ecr, withToken), "UnrecognizedClientException");
    expectAwsError(await call(ecr, { key: { ...PERMANENT, sessionToken: "a-token-for-a-permanent-key" } }), "UnrecognizedClientException");
  });

  it("answers the html, error and status behaviours, only to requests that pass the checks", async () => {
    ecr.setBehaviour({ kind: "html" });
    const html = await call(ecr);
    expect(html.status).toBe(200);
    expect(html.headers["content-type"]).toMatch(/^text\/html/);
    expect(html.body).toMatch(/^<!DOCTYPE html>/);
    expectAwsError(await call(ecr, { key: { ...PERMANENT, secretAccessKey: "wrong" } }), "InvalidSignatureException");

    ecr.setBehaviour({ kind: "error", type: "AccessDeniedException" });
    expectAwsError(await call(ecr), "AccessDeniedException", new RegExp(`^User: arn:aws:iam::${ACCOUNT}:user/.* is not authorized to perform: ecr:GetAuthorizationToken`));
    expect(ecr.requests.at(-1)).toMatchObject({ status: 400, errorType: "AccessDeniedException" });

    ecr.setBehaviour({ kind: "error", type: "ThrottlingException", message: "Rate exceeded" });
    expectAwsError(await call(ecr), "ThrottlingException", "Rate exceeded");

    ecr.setBehaviour({ kind: "error", type: "ServerException", message: "Internal error", status: 500 });
    expectAwsError(await call(ecr), "ServerException", "Internal error", 500);

    ecr.setBehaviour({ kind: "status", status: 503, body: "upstream unavailable" });
    const unavailable = await call(ecr);
    expect(unavailable.status).toBe(503);
    expect(unavailable.body).toBe("upstream unavailable");

    ecr.setBehaviour({ kind: "token" });
    expect(authorizationData(await call(ecr))).toHaveLength(1);
  });

  it("hands out the password and lifetime set by the test", async () => {
    ecr.setPassword("rotated-password-2");
    ecr.setExpiresInSeconds(60);
    const before = Date.now();
    const [entry] = authorizationData(await call(ecr));
    expect(decode(entry!.authorizationToken)).toBe("AWS:rotated-password-2");
    expect(entry!.expiresAt * 1000).toBeGreaterThanOrEqual(before + 60_000 - 1);
    expect(entry!.expiresAt * 1000).toBeLessThanOrEqual(Date.now() + 60_000 + 1);
  });

  it("accepts a request signed by the AWS SDK's signer (Content-Type and X-Amz-Content-Sha256 signed) and checks that hash against the body", async () => {
    class Sha256 {
      private readonly hash;
      constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
        const key = typeof secret === "string" || secret === undefined ? secret : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret);
        this.hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
      }
      update(chunk: Uint8Array) {
        this.hash.update(chunk);
      }
      digest() {
        return Promise.resolve(new Uint8Array(this.hash.digest()));
      }
      reset() {}
    }
    const signer = new SignatureV4({ service: "ecr", region: REGION, credentials: PERMANENT, sha256: Sha256 });
    const request = new HttpRequest({
      method: "POST",
      protocol: "https:",
      hostname: "127.0.0.1",
      port: ecr.port,
      path: "/",
      headers: { host: `127.0.0.1:${ecr.port}`, "content-type": AMZ_JSON_1_1, "x-amz-target": ECR_GET_AUTHORIZATION_TOKEN_TARGET },
      body: "{}",
    });
    const signed = await signer.sign(request);
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, String(value)]));
    expect(headers.authorization).toMatch(/SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target,/);
    expect(authorizationData(await send(ecr, { headers, body: "{}" }))).toHaveLength(1);
    // The signature covers the hash header, not the body itself: the fake compares the two.
    expectAwsError(await send(ecr, { headers, body: "{ }" }), "InvalidSignatureException", /x-amz-content-sha256/);
  });

  it("stops: nothing answers on its port afterwards", async () => {
    const other = await startWith();
    expect(authorizationData(await call(other))).toHaveLength(1);
    await other.stop();
    await expect(call(other)).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET)$/) });
  });

  it("refuses keys whose account is not 12 digits", async () => {
    await expect(startFakeEcr({ ca, keys: [{ ...PERMANENT, account: "1234" }], region: REGION, password: PASSWORD, proxyEndpoint: () => REGISTRY_URL })).rejects.toThrow(
      /account must be 12 digits/,
    );
  });
});

describe("fake ECR clock", () => {
  it("refuses a request more than 5 minutes behind its clock with 'Signature expired'", async () => {
    const ecr = await startWith({ clockSkewSeconds: 600 });
    try {
      const signed = await sign(ecr.url);
      const date = signed.headers["x-amz-date"];
      const answer = await send(ecr, signed);
      expectAwsError(answer, "InvalidSignatureException", new RegExp(`^Signature expired: ${date} is now earlier than (\\d{8}T\\d{6}Z) \\((\\d{8}T\\d{6}Z) - 5 min\\.\\)$`));
      const [, limit, now] = /than (\S+) \((\S+) - 5/.exec(JSON.parse(answer.body).message as string) ?? [];
      const toMs = (d: string) => Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`);
      expect(toMs(now!) - toMs(limit!)).toBe(5 * 60 * 1000);
      expect(Math.abs(toMs(now!) - (Date.now() + 600_000))).toBeLessThan(5_000);
    } finally {
      await ecr.stop();
    }
  });

  it("refuses a request more than 5 minutes ahead of its clock with 'Signature not yet current'", async () => {
    const ecr = await startWith({ clockSkewSeconds: -600 });
    try {
      const signed = await sign(ecr.url);
      expectAwsError(
        await send(ecr, signed),
        "InvalidSignatureException",
        new RegExp(`^Signature not yet current: ${signed.headers["x-amz-date"]} is still later than \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z \\+ 5 min\\.\\)$`),
      );
    } finally {
      await ecr.stop();
    }
  });

  it("accepts a request 4 minutes away from its clock, and dates expiresAt by its own clock", async () => {
    const ecr = await startWith({ clockSkewSeconds: 240 });
    try {
      const before = Date.now();
      const [entry] = authorizationData(await call(ecr));
      expect(entry!.expiresAt * 1000).toBeGreaterThanOrEqual(before + (240 + 12 * 3600) * 1000 - 1);
    } finally {
      await ecr.stop();
    }
  });
});

describe("fake ECR latency", () => {
  it("delays every answer, concurrent requests included, and records them in order of arrival", async () => {
    const ecr = await startWith({ latencyMs: 300 });
    try {
      const first = await sign(ecr.url);
      const second = await sign(ecr.url, { key: TEMPORARY });
      const started = Date.now();
      const answers = await Promise.all([send(ecr, first), send(ecr, second)]);
      const elapsed = Date.now() - started;
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(elapsed).toBeGreaterThanOrEqual(290);
      // Answered side by side, not one after the other.
      expect(elapsed).toBeLessThan(600);
      expect(ecr.requests).toHaveLength(2);
      expect(new Set(ecr.requests.map((request) => request.accessKeyId))).toEqual(new Set([PERMANENT.accessKeyId, TEMPORARY.accessKeyId]));
      expect(ecr.requests[1]!.at).toBeGreaterThanOrEqual(ecr.requests[0]!.at);
    } finally {
      await ecr.stop();
    }
  });
});
