/**
 * Amazon ECR's exchange: `GetAuthorizationToken` over the AWS JSON 1.1 protocol, signed with
 * SigV4 for service `ecr` by `aws4fetch`, sent through Test Connection's transport (so the AWS
 * endpoint passes the outbound policy like any other host, and only a checked address is
 * connected to). The answer's `authorizationToken` is base64 `AWS:password`, valid for the
 * registry at `proxyEndpoint` until `expiresAt` (12 hours).
 *
 * Security decisions: the access key only ever goes to the region's AWS API endpoint (or the
 * operator's `AWS_ENDPOINT_URL_ECR`), and the password it yields only to the proxy endpoint AWS
 * returned: which must be the configured account's registry in that region (any host when the
 * operator overrode the endpoint: the policy still checks it when it is connected to). Nothing
 * here logs, and no message carries a secret or quotes more of AWS's answer than its error type
 * and message.
 */
import "server-only";
import { AwsClient } from "aws4fetch";
import { env } from "@/lib/env";
import { adviceFor, stageMessage } from "../connection/messages";
import { NetworkFailure } from "../connection/network-errors";
import { redactText, secretVariants } from "../connection/redact";
import { StageStop, stopForNetwork } from "../connection/session";
import { request, type HttpResponse, type TransportSettings } from "../connection/transport";
import type { ExchangedLogin, ExchangeStep, TestDetails, TestStatus } from "../connection/types";
import { ecrApiHost, ecrRegistryHost, parseEcrHost } from "../types/ecr";

export const GET_AUTHORIZATION_TOKEN_TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
export const AWS_JSON_CONTENT_TYPE = "application/x-amz-json-1.1";
const STAGE = "aws-auth" as const;
const MAX_QUOTED = 160;

/** What the exchange needs of an ECR registry's credentials (the secret ones included). */
export interface EcrKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  registryId?: string;
}

export type ExchangeTransport = Parameters<ExchangeStep>[0];

/** The endpoint GetAuthorizationToken goes to: `AWS_ENDPOINT_URL_ECR`, else the region's. */
export function ecrEndpoint(region: string): { url: URL; overridden: boolean } {
  const override = env().AWS_ENDPOINT_URL_ECR;
  if (override) return { url: new URL(override), overridden: true };
  return { url: new URL(`https://${ecrApiHost(region)}/`), overridden: false };
}

function stop(status: TestStatus, what: string, advice = adviceFor(status), details: Partial<TestDetails> = {}): StageStop {
  return new StageStop(status, STAGE, stageMessage(STAGE, what, advice), details);
}

/** AWS's error type without its namespace (`com.amazon.coral.service#AccessDeniedException`) or suffix (`…:http://…`). */
function errorTypeOf(response: HttpResponse, body: Record<string, unknown> | undefined): string | undefined {
  const raw = (typeof body?.__type === "string" && body.__type) || (typeof body?.code === "string" && body.code) || response.headers["x-amzn-errortype"];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (!text) return undefined;
  return text.split(":")[0]!.split("#").pop() || undefined;
}

/** AWS's own message, redacted before it is clipped (a secret cut at the clip would survive). */
function quoted(body: Record<string, unknown> | undefined, keys: EcrKeys): string {
  const message = body?.message ?? body?.Message;
  if (typeof message !== "string" || !message.trim()) return "";
  const secrets = [...secretVariants(keys.accessKeyId, keys.secretAccessKey), ...secretVariants(undefined, keys.sessionToken)];
  const text = redactText(message, secrets).replace(/\s+/g, " ").trim();
  return ` ("${text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text}")`;
}

function parseJson(response: HttpResponse): Record<string, unknown> | undefined {
  if (response.truncated) return undefined;
  try {
    const value = JSON.parse(response.body.toString("utf8")) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK = /signature expired|not yet current|request has expired|time.*skew/i;
const THROTTLED = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "ThrottledException", "SlowDown"]);

/** The operator's reading of an AWS error answer. */
function awsFailure(response: HttpResponse, body: Record<string, unknown> | undefined, keys: EcrKeys, endpointHost: string): StageStop {
  const type = errorTypeOf(response, body);
  const details: Partial<TestDetails> = { httpStatus: response.status, ...(type ? { errorCode: type } : {}) };
  const what = `${endpointHost} answered ${response.status} ${type ?? ""}${quoted(body, keys)}`.replace(/ {2,}/g, " ");
  const message = typeof body?.message === "string" ? body.message : "";
  if (type === "RequestExpired" || type === "RequestTimeTooSkewed" || CLOCK.test(message)) {
    return stop("invalid_credentials", `${what}: AWS refused the request's time`, "Check this server's clock (enable NTP): AWS accepts requests signed at most 5 minutes from its own time.", details);
  }
  switch (type) {
    case "UnrecognizedClientException":
    case "InvalidClientTokenId":
      return stop(
        "invalid_credentials",
        `${what}: AWS does not know the access key ID ${keys.accessKeyId}${keys.sessionToken ? " with this session token" : ""}`,
        "Check the access key ID (and for temporary ASIA… keys the session token); a deleted or deactivated key is refused like this.",
        details,
      );
    case "ExpiredTokenException":
      return stop("invalid_credentials", `${what}: the session token has expired`, "Temporary (ASIA…) credentials expire: enter fresh ones, or use an IAM user's access key (AKIA…).", details);
    case "InvalidSignatureException":
    case "SignatureDoesNotMatch":
    case "IncompleteSignature":
      return stop("invalid_credentials", `${what}: the secret access key does not match the access key ID`, "Paste the secret access key of this access key again (40 characters).", details);
    case "AccessDeniedException":
    case "AccessDenied":
      return stop("forbidden", `${what}: the IAM identity of ${keys.accessKeyId} is not allowed ecr:GetAuthorizationToken`, "Attach a policy that allows ecr:GetAuthorizationToken (e.g. AmazonEC2ContainerRegistryReadOnly) to the IAM user or role.", details);
  }
  if ((type && THROTTLED.has(type)) || response.status === 429) {
    const retry = Number(response.headers["retry-after"]);
    return stop("rate_limited", `${what}: AWS is throttling GetAuthorizationToken`, "Wait a little and test again; Berth caches ECR tokens, so this is rare in normal use.", {
      ...details,
      ...(Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {}),
    });
  }
  if (type === "InvalidParameterException" && keys.registryId) {
    return stop("invalid_credentials", `${what}: AWS refused the registry ID ${keys.registryId}`, "Check the registry ID: the 12-digit account ID of the registry, or leave it blank for the key's own account.", details);
  }
  if (!type) {
    return stop("not_a_registry", `${endpointHost} answered ${response.status} with something that is not an AWS API answer`, "Check AWS_ENDPOINT_URL_ECR (or the proxy in front of the AWS API): it must be the ECR API endpoint.", details);
  }
  return stop("registry_error", what, "AWS had a problem answering; try again later.", details);
}

function decodeToken(token: unknown): { username: string; password: string } | undefined {
  if (typeof token !== "string" || !token) return undefined;
  const text = Buffer.from(token, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function expiryOf(value: unknown): Date | undefined {
  const date = typeof value === "number" ? new Date(value * 1000) : typeof value === "string" ? new Date(/^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : value) : undefined;
  return date && Number.isFinite(date.getTime()) ? date : undefined;
}

/**
 * The registry `host[:port]` of a proxy endpoint, checked against where the key may lead: from
 * AWS itself, an ECR registry host in the key's region, of the registry ID's account when one is
 * set. From an endpoint the operator set (`AWS_ENDPOINT_URL_ECR`: a VPC endpoint, an emulator,
 * tests) any host is accepted (the outbound policy still checks it when it is connected to),
 * except an ECR host of another account than the registry ID's: that is the same mistake
 * wherever the answer comes from.
 */
export function checkProxyEndpoint(proxyEndpoint: unknown, keys: EcrKeys, endpoint: { url: URL; overridden: boolean }): { host: string; plainHttp: boolean } {
  const endpointHost = endpoint.url.host;
  let url: URL | undefined;
  try {
    url = typeof proxyEndpoint === "string" ? new URL(proxyEndpoint.includes("://") ? proxyEndpoint : `https://${proxyEndpoint}`) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
    throw stop("not_a_registry", `${endpointHost} answered without a usable proxyEndpoint`, "Check AWS_ENDPOINT_URL_ECR: it must be the ECR API endpoint.");
  }
  // Plain HTTP only from an endpoint the operator set to plain HTTP themselves (a local emulator).
  const plainHttp = url.protocol === "http:";
  if (plainHttp && !(endpoint.overridden && endpoint.url.protocol === "http:")) {
    throw stop("registry_error", `${endpointHost} returned a plain-HTTP registry address (${url.host}); the token is not sent there`);
  }
  const parsed = parseEcrHost(url.hostname);
  if (!endpoint.overridden && (!parsed || parsed.region !== keys.region || url.port)) {
    throw stop("registry_error", `${endpointHost} returned ${url.host}, which is not an ECR registry in ${keys.region}; the token is not sent there`);
  }
  if (parsed) {
    if (keys.registryId && parsed.account !== keys.registryId) {
      throw stop(
        "registry_error",
        `AWS returned the registry of account ${parsed.account} (${url.host}), not of the registry ID ${keys.registryId} (${ecrRegistryHost(keys.registryId, keys.region)})`,
        "Check the registry ID, or leave it blank to use the registry of the access key's own account.",
      );
    }
  }
  return { host: url.host, plainHttp };
}

/**
 * GetAuthorizationToken for these keys, through `transport` (policy, resolver, deadline).
 * Expected failures throw a {@link StageStop} at `aws-auth` with an operator's message.
 */
export async function getEcrAuthorizationToken(keys: EcrKeys, transport: ExchangeTransport): Promise<ExchangedLogin> {
  const endpoint = ecrEndpoint(keys.region);
  const endpointHost = endpoint.url.host;
  const body = JSON.stringify(keys.registryId ? { registryIds: [keys.registryId] } : {});
  const client = new AwsClient({
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}),
    service: "ecr",
    region: keys.region,
    retries: 0,
  });
  const signed = await client.sign(endpoint.url.toString(), {
    method: "POST",
    headers: { "Content-Type": AWS_JSON_CONTENT_TYPE, "X-Amz-Target": GET_AUTHORIZATION_TOKEN_TARGET },
    body,
  });
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const settings: TransportSettings = {
    policy: transport.policy,
    lookup: transport.lookup,
    deadline: transport.deadline,
    allowPlainHttp: endpoint.url.protocol === "http:",
    insecureSkipVerify: false,
  };
  let response: HttpResponse;
  try {
    response = await request({ method: "POST", url: endpoint.url, headers, body }, settings);
  } catch (error) {
    if (error instanceof NetworkFailure) throw stopForNetwork(error, STAGE);
    throw error;
  }
  const json = parseJson(response);
  if (response.status !== 200) throw awsFailure(response, json, keys, endpointHost);
  if (!json) {
    throw stop("not_a_registry", `${endpointHost} answered 200 with something that is not an AWS API answer`, "Check AWS_ENDPOINT_URL_ECR (or the proxy in front of the AWS API): it must be the ECR API endpoint.", { httpStatus: 200 });
  }
  const data = Array.isArray(json?.authorizationData) ? (json.authorizationData as Record<string, unknown>[])[0] : undefined;
  const login = decodeToken(data?.authorizationToken);
  const expiresAt = expiryOf(data?.expiresAt);
  if (!data || !login || !expiresAt) {
    throw stop("not_a_registry", `${endpointHost} answered 200 with something that is not a GetAuthorizationToken answer`, "Check AWS_ENDPOINT_URL_ECR: it must be the ECR API endpoint.", { httpStatus: 200 });
  }
  const proxy = checkProxyEndpoint(data.proxyEndpoint, keys, endpoint);
  return {
    host: proxy.host,
    plainHttp: proxy.plainHttp,
    username: login.username,
    password: login.password,
    expiresAt,
    endpoint: endpointHost,
    cached: false,
    ...(endpoint.url.protocol === "http:"
      ? { warnings: [{ path: "region", message: `AWS_ENDPOINT_URL_ECR is plain HTTP (${endpointHost}): the signed request and the registry token travel unencrypted.` }] }
      : {}),
  };
}
