/** Types of Test Connection: its input, options, stages and result. Plain data, safe anywhere. */
import type { FieldIssue } from "@/lib/errors";
import type { Deadline } from "./deadline";
import type { OutboundPolicy } from "./policy";

/**
 * Outcome of a test. The product's list, plus two of the engine's own:
 * - `invalid_input`: the format stage refused the input before any network call;
 * - `not_supported`: the type's credentials are exchanged first (ECR) and no exchange step was given.
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
  /** ECR: GetAuthorizationToken exchanges the access key for a registry password. */
  "aws-auth",
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

/** What an exchange step (ECR's GetAuthorizationToken) gives the registry stages. */
export interface ExchangedLogin {
  /** `host[:port]` of the registry the password is valid for (ECR's proxy endpoint). */
  host: string;
  plainHttp: boolean;
  username: string;
  password: string;
  expiresAt: Date;
  /** Where the exchange was made, e.g. `api.ecr.eu-west-1.amazonaws.com`. */
  endpoint: string;
  /** The password came from the shared cache: no request to the provider was made. */
  cached: boolean;
  /** This exchange told a saved registry its URL (a placeholder until then), which bumped its version. */
  learnedHost?: boolean;
  /** Warnings about the exchange (a plain-HTTP endpoint override). */
  warnings?: FieldIssue[];
}

/**
 * Runs the exchange through the engine's transport (the same outbound policy, resolver and
 * deadline as the registry stages). Expected failures throw a `StageStop` (from `./session`)
 * at the exchange's stage, or a `NetworkFailure`.
 */
export type ExchangeStep = (transport: { policy: OutboundPolicy; lookup: LookupFunction; deadline: Deadline }) => Promise<ExchangedLogin>;

export interface TestConnectionOptions {
  /** Total time budget; default 10 000 ms. */
  timeoutMs?: number;
  /** Aborts the test (client disconnect). */
  signal?: AbortSignal;
  policy: OutboundPolicy;
  /** Resolver; default `dns.promises.lookup(hostname, {all: true})`. */
  lookup?: LookupFunction;
  /**
   * For a type whose credentials are exchanged first (ECR): the server-side exchange. Without
   * it such a type is `not_supported`.
   */
  exchange?: ExchangeStep;
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
  /** The exchange of an exchanged type (ECR): where, for which registry, until when. */
  exchange?: {
    endpoint: string;
    /** The registry the password is for (ECR's proxy endpoint), `host[:port]`. */
    registryHost: string;
    expiresAt: string;
    /** A cached password was used: no request went to the provider. */
    cached: boolean;
    ms: number;
  };
  /**
   * A saved registry's test only: this test's exchange told the registry its URL (the ECR
   * placeholder became `exchange.registryHost`), which raised the registry's version by one.
   */
  urlLearned?: boolean;
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
