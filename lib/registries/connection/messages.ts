/** Operator-facing wording of Test Connection results. Pure; never given a secret. */
import type { StageName, TestStatus } from "./types";

export const STAGE_LABELS: Record<StageName, string> = {
  format: "Input check",
  "aws-auth": "AWS sign-in (GetAuthorizationToken)",
  dns: "DNS",
  policy: "Outbound policy",
  tcp: "Connection",
  tls: "TLS",
  ping: "Registry check (GET /v2/)",
  challenge: "Authentication challenge",
  token: "Token request",
  auth: "Sign-in",
  pull: "Pull check",
};

const ADVICE: Partial<Record<TestStatus, string>> = {
  dns_error: "Check the host name; this server's DNS cannot find it.",
  unreachable: "Check the host and port, and that firewalls let this server reach the registry.",
  timeout: "The registry or something on the way did not answer in time; check the port, proxies and firewalls.",
  tls_untrusted:
    "Add the registry's CA certificate (PEM) to the registry settings; as a last resort enable Skip TLS verification.",
  tls_hostname_mismatch:
    "The certificate was issued for another name: use the host name written on the certificate, or reissue it with this name.",
  tls_protocol: "The port does not speak TLS; if the registry serves plain HTTP, enter its URL with http://.",
  blocked_by_policy:
    "Berth does not connect to loopback, private, link-local, metadata or other internal addresses; an administrator can allow a range with OUTBOUND_ALLOW_CIDRS.",
  registry_error: "The registry had a problem; try again later or check its logs.",
  rate_limited: "The registry is rate limiting this server; wait and try again.",
  not_a_registry: "Check the URL: the registry API must answer at /v2/ on that host and port.",
};

export function adviceFor(status: TestStatus): string {
  return ADVICE[status] ?? "";
}

/** `Stage: what happened. What to do.` */
export function stageMessage(stage: StageName, what: string, advice = ""): string {
  const sentence = /[.!?]$/.test(what) ? what : `${what}.`;
  return [`${STAGE_LABELS[stage]}: ${sentence}`, advice].filter(Boolean).join(" ");
}

export function retryAfterText(seconds: number | undefined): string {
  return seconds === undefined ? "" : ` Retry after ${seconds} s.`;
}
