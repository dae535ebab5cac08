/** Network failures of Test Connection and their classification (DNS, refused, timeout, TLS trust and hostname, protocol). */
import type { TestStatus } from "./types";

/** Where in a request a failure happened. */
export type NetworkPhase = "dns" | "policy" | "tcp" | "tls" | "http";

/** A failure of one request; `status` is already classified. */
export class NetworkFailure extends Error {
  constructor(
    readonly phase: NetworkPhase,
    readonly status: TestStatus,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "NetworkFailure";
  }
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EAI_NODATA", "ENODATA", "ESERVFAIL", "ENOTIMP", "EREFUSED", "EBADNAME"]);
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EADDRNOTAVAIL", "ECONNRESET", "EPIPE", "ECONNABORTED"]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ABORT_ERR", "ESOCKETTIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT"]);
const UNTRUSTED_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "PATH_LENGTH_EXCEEDED",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "ERR_TLS_CERT_SIGNATURE_ALGORITHM_UNSUPPORTED",
]);

/** Node error code of an error, looking through `cause`. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies a Node network error raised during `phase`. */
export function classifyNetworkError(phase: NetworkPhase, error: unknown): TestStatus {
  const code = errorCode(error) ?? "";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return "tls_hostname_mismatch";
  if (UNTRUSTED_CODES.has(code) || /CERT/.test(code)) return "tls_untrusted";
  if (code === "EPROTO" || code.startsWith("ERR_SSL_") || /wrong version number|ssl3_get_record|packet length too long/i.test(String((error as Error)?.message))) {
    return "tls_protocol";
  }
  if (TIMEOUT_CODES.has(code)) return "timeout";
  if (DNS_CODES.has(code)) return "dns_error";
  if (phase === "dns") return "dns_error";
  if (phase === "tls" && (code === "ECONNRESET" || code === "EPIPE")) return "tls_protocol";
  if (phase === "http" && code.startsWith("HPE_")) return "not_a_registry";
  if (phase === "http") return "registry_error";
  if (UNREACHABLE_CODES.has(code)) return "unreachable";
  return "unreachable";
}

/** An error carrying a Node-style code (for timeouts we raise ourselves). */
export function codedError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}
