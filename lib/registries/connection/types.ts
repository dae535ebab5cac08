/** Types of Test Connection: its input, options, stages and result. Plain data, safe anywhere. */
import type { FieldIssue } from "@/lib/errors";
import type { OutboundPolicy } from "./policy";

/**
 * Outcome of a test. The product's list, plus two of the engine's own:
 * - `invalid_input`: the format stage refused the input before any network call;
 * - `not_supported`: this type cannot be tested yet (ECR).
 */
export const TEST_STATUSES = [
  "success",
  "not_verified",
  "invalid_credentials",
  "forbidden",
  "rate_limited",
  "dns_error",
  "unreachable",
  "timeout",
  "tls_untrusted",
  "tls_hostname_mismatch",
  "tls_protocol",
  "not_a_registry",
  "registry_error",
  "blocked_by_policy",
  "invalid_input",
  "not_supported",
] as const;

export type TestStatus = (typeof TEST_STATUSES)[number];

export const STAGE_NAMES = [
  "format",
  "dns",
  "policy",
  "tcp",
  "tls",
  "ping",
  "challenge",
  "token",
  "auth",
  "pull",
] as const;

export type StageName = (typeof STAGE_NAMES)[number];

export interface ConnectionInput {
  /** The registry type's key: its module gives the sign-in kind and the provider hints. */
  type: string;
  /** Normalised `host[:port][/path-prefix]`, no scheme. */
  host: string;
  plainHttp: boolean;
  username?: string;
  /** The secret to send: password, token or GCP key JSON. */
  password?: string;
  caCertificate?: string;
  insecureSkipVerify?: boolean;
  /** `repository[:tag]`, `repository@digest` or a full reference, to prove pull access. */
  image?: string;
  /**
   * The caller already checked the input against the type's conventions (the API does, with the
   * type's schema): the format stage then raises no convention warnings of its own.
   */
  conventionsChecked?: boolean;
}

export interface LookupAddress {
  address: string;
  family: number;
}

export type LookupFunction = (hostname: string) => Promise<LookupAddress[]>;

export interface TestConnectionOptions {
  /** Total time budget; default 10 000 ms. */
  timeoutMs?: number;
  /** Aborts the test (client disconnect). */
  signal?: AbortSignal;
  policy: OutboundPolicy;
  /** Resolver; default `dns.promises.lookup(hostname, {all: true})`. */
  lookup?: LookupFunction;
}

export interface StageReport {
  name: StageName;
  ok: boolean;
  ms: number;
  detail?: string;
}

export interface TestDetails {
  authScheme?: "basic" | "bearer" | "none";
  /** Host the registry API was reached at (`registry-1.docker.io` for Docker Hub). */
  registryHost?: string;
  /** Address connected to. */
  address?: string;
  realmHost?: string;
  service?: string;
  apiVersion?: string;
  tlsProtocol?: string;
  httpStatus?: number;
  /** Seconds, from `Retry-After`. */
  retryAfter?: number;
  /** Error code from a `{"errors": [...]}` body or a `WWW-Authenticate` error. */
  errorCode?: string;
  /** Network error code (ECONNREFUSED, ...). */
  networkCode?: string;
  redirects?: number;
  image?: string;
  pullVerified?: boolean;
  cancelled?: boolean;
}


export interface TestResult {
  ok: boolean;
  status: TestStatus;
  /** The stage that decided the outcome. */
  stage: StageName;
  message: string;
  latencyMs: number;
  stages: StageReport[];
  details: TestDetails;
  warnings: FieldIssue[];
}
