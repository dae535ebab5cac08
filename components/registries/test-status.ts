/**
 * How Test Connection outcomes read in the UI: badge labels and tones per status, stage names,
 * and what a successful test actually proved. Client-safe.
 */
import type { ToastInput } from "@/components/ui/toast";
import type { StageName, TestResult, TestStatus } from "@/lib/registries/connection/types";

export type Tone = "success" | "warning" | "error" | "neutral" | "info";

export const STATUS_LABEL: Record<TestStatus, string> = {
  success: "Connected",
  not_verified: "Not verified",
  invalid_credentials: "Invalid credentials",
  forbidden: "Access denied",
  rate_limited: "Rate limited",
  dns_error: "Host not found",
  unreachable: "Unreachable",
  timeout: "Timed out",
  tls_untrusted: "Untrusted certificate",
  tls_hostname_mismatch: "Certificate mismatch",
  tls_protocol: "TLS error",
  not_a_registry: "Not a registry",
  registry_error: "Registry error",
  blocked_by_policy: "Blocked by policy",
  invalid_input: "Invalid input",
  not_supported: "Not supported",
};

export function statusLabel(status: string): string {
  return STATUS_LABEL[status as TestStatus] ?? status.replace(/_/g, " ");
}

export function statusTone(status: string): Tone {
  if (status === "success") return "success";
  if (status === "not_verified" || status === "rate_limited") return "warning";
  if (status === "not_supported") return "neutral";
  return "error";
}

export const STAGE_LABEL: Record<StageName, string> = {
  format: "Input checks",
  "aws-auth": "AWS sign-in",
  dns: "DNS lookup",
  policy: "Outbound policy",
  tcp: "TCP connection",
  tls: "TLS handshake",
  ping: "Registry API (/v2/)",
  challenge: "Auth challenge",
  token: "Token request",
  auth: "Sign-in",
  pull: "Pull access",
};

export function stageLabel(stage: string): string {
  return STAGE_LABEL[stage as StageName] ?? stage;
}

/** The three headlines the status region's text starts with, plus "Not tested" for types the server cannot test. */
export function resultHeadline(result: Pick<TestResult, "status">): "Connection successful" | "Not verified" | "Connection failed" | "Not tested" {
  if (result.status === "success") return "Connection successful";
  if (result.status === "not_verified") return "Not verified";
  if (result.status === "not_supported") return "Not tested";
  return "Connection failed";
}

/** The toast after re-testing a saved registry: "passed" with the time, else the headline and the registry's message. */
export function testResultToast(name: string, result: Pick<TestResult, "status" | "message" | "latencyMs">): ToastInput {
  const headline = resultHeadline(result);
  if (headline === "Connection successful") return { tone: "success", title: `${name}: test passed (${result.latencyMs} ms)` };
  return { tone: headline === "Connection failed" ? "error" : "warning", title: `${name}: ${headline.toLowerCase()}`, description: result.message };
}

type Exchange = NonNullable<TestResult["details"]["exchange"]>;

/** When an exchanged token expires, in the browser's local time with its zone, e.g. "Mar 4, 2026, 21:07 CET". */
export function tokenExpiry(expiresAt: string, locale?: string, timeZone?: string): string {
  const date = new Date(expiresAt);
  if (Number.isNaN(date.getTime())) return expiresAt;
  return date.toLocaleString(locale, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short", timeZone });
}

/** ISO instants in a server's text (a stage's detail) in the browser's local time, as {@link tokenExpiry} writes them. */
export function withLocalTimes(text: string, locale?: string, timeZone?: string): string {
  return text.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, (iso) => tokenExpiry(iso, locale, timeZone));
}

/**
 * The exchange in one line: which registry host the token is for and until when (local time),
 * "(cached)" when no request went to the provider. Never the token itself: the result has none.
 */
export function exchangeSummary(exchange: Exchange, locale?: string, timeZone?: string): string {
  const until = tokenExpiry(exchange.expiresAt, locale, timeZone);
  return exchange.cached
    ? `ECR token for ${exchange.registryHost}, valid until ${until} (cached)`
    : `AWS accepted the access key (${exchange.endpoint}): ECR token for ${exchange.registryHost}, valid until ${until}`;
}

/** What a test proved, in plain words, from the stages that passed. */
export function verifiedItems(result: TestResult): string[] {
  const passed = new Set(result.stages.filter((s) => s.ok).map((s) => s.name));
  const d = result.details ?? {};
  const items: string[] = [];
  if (passed.has("aws-auth") && d.exchange) items.push(exchangeSummary(d.exchange));
  if (passed.has("dns")) items.push(d.address ? `DNS resolves (${d.address})` : "DNS resolves");
  if (passed.has("tls")) items.push(d.tlsProtocol ? `TLS certificate trusted (${d.tlsProtocol})` : "TLS certificate trusted");
  if (passed.has("ping")) items.push(d.registryHost ? `${d.registryHost} speaks the registry API` : "The host speaks the registry API");
  if (passed.has("auth") && result.status === "success") {
    const scheme = d.authScheme === "bearer" ? "bearer token" : d.authScheme === "basic" ? "basic auth" : null;
    items.push(scheme ? `The credentials sign in (${scheme})` : "The credentials sign in");
  }
  if (passed.has("pull") || d.pullVerified) items.push(d.image ? `Pull access to ${d.image}` : "Pull access to the image");
  return items;
}
