/**
 * Asks a provider when a registry's token expires (GitHub, GitLab). Opt-in per registry
 * (`detectExpiry`), because the token then goes to the provider's API host rather than the
 * registry's: the type's default (`https://api.github.com`, `https://gitlab.com`) or the
 * registry's own `expiryApiUrl`, which is part of the binding (changing it requires the token
 * again, so nobody can redirect a stored token by editing the URL alone).
 *
 * Security decisions: the request goes through Test Connection's transport, so the outbound
 * policy is checked on the address connected to and `http://` reaches only addresses listed in
 * `OUTBOUND_ALLOW_CIDRS`; redirects are not followed (the token would go with them); the
 * registry's CA certificate is trusted for the API host too, but skipped TLS verification is
 * not carried over to it. Answers are read for the expiry only; messages never hold the token.
 */
import "server-only";
import { Deadline } from "../connection/deadline";
import { NetworkFailure } from "../connection/network-errors";
import { outboundPolicyFromEnv, type OutboundPolicy } from "../connection/policy";
import { redact } from "../connection/redact";
import { trimTrailingSlashes } from "../text";
import { defaultLookup, requestOnce } from "../connection/transport";
import type { LookupFunction } from "../connection/types";
import { expiryApiUrlOf, getRegistryType, type RegistryCredentials, type RegistryTypeKey } from "../types";
import { readGithubAnswer, readGitlabAnswer, type DetectionOutcome } from "./provider-answers";

export const DETECTION_TIMEOUT_MS = 5_000;

export interface DetectionTransport {
  policy?: OutboundPolicy;
  lookup?: LookupFunction;
  timeoutMs?: number;
}

/** The request that reads the expiry, or null when the type cannot tell one. */
export function detectionRequest(type: RegistryTypeKey, credentials: RegistryCredentials, token: string): { provider: "github" | "gitlab"; url: URL; headers: Record<string, string> } | null {
  const detection = getRegistryType(type).expiryDetection;
  if (!detection) return null;
  const base = trimTrailingSlashes(expiryApiUrlOf(detection, credentials));
  if (detection.provider === "github") {
    return { provider: detection.provider, url: new URL(`${base}/user`), headers: { Authorization: `token ${token}`, Accept: "application/vnd.github+json", "User-Agent": "Berth-Expiry/1.0" } };
  }
  return { provider: detection.provider, url: new URL(`${base}/api/v4/personal_access_tokens/self`), headers: { "PRIVATE-TOKEN": token, Accept: "application/json", "User-Agent": "Berth-Expiry/1.0" } };
}

export async function detectTokenExpiry(type: RegistryTypeKey, credentials: RegistryCredentials, token: string, transport: DetectionTransport = {}): Promise<DetectionOutcome> {
  let spec: ReturnType<typeof detectionRequest>;
  try {
    spec = detectionRequest(type, credentials, token);
  } catch {
    return { ok: false, message: "The Expiry API URL is not a valid URL" };
  }
  if (!spec) return { ok: false, message: "This registry type does not tell when its credentials expire" };
  const providerName = spec.provider === "github" ? "GitHub" : "GitLab";
  try {
    const answer = await requestOnce(
      { method: "GET", url: spec.url, headers: spec.headers },
      {
        policy: transport.policy ?? outboundPolicyFromEnv(),
        lookup: transport.lookup ?? defaultLookup,
        allowPlainHttp: "allow-listed",
        ...(credentials.caCertificate ? { caPem: credentials.caCertificate } : {}),
        insecureSkipVerify: false,
        deadline: new Deadline(transport.timeoutMs ?? DETECTION_TIMEOUT_MS),
      },
    );
    if (answer.status >= 300 && answer.status < 400) {
      return { ok: false, message: `${providerName}'s API at ${spec.url.host} answered with a redirect, which is not followed (the token would go with it): check the Expiry API URL` };
    }
    if (spec.provider === "github") {
      const header = answer.headers["github-authentication-token-expiration"];
      return readGithubAnswer(answer.status, Array.isArray(header) ? header[0] : header);
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString("utf8"));
    } catch {
      body = undefined;
    }
    return readGitlabAnswer(answer.status, body);
  } catch (error) {
    const message = error instanceof NetworkFailure ? error.message : "the request failed";
    return { ok: false, message: redact(`Could not read the expiry from ${spec.url.host}: ${message}`, [token]) };
  }
}
