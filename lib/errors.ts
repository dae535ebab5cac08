import type { z } from "zod";

/**
 * One error type for expected failures. Each code maps to an HTTP status and an RFC 9457
 * problem type; unexpected errors become a 500 whose body carries only the request id.
 */
export const ERROR_STATUS = {
  validation: 400,
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  two_factor_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  registry_in_use: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  not_implemented: 501,
  bad_gateway: 502,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLE: Record<ErrorCode, string> = {
  validation: "Invalid request",
  bad_request: "Bad request",
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  two_factor_required: "Two-factor authentication required",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  registry_in_use: "Registry in use",
  precondition_failed: "Precondition failed",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  rate_limited: "Too many requests",
  internal: "Internal server error",
  not_implemented: "Not implemented",
  bad_gateway: "Bad gateway",
  unavailable: "Service unavailable",
};

/** A problem with one field: `path` is dotted (`credentials.username`); "" is the body itself. */
export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldIssue[] | undefined;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldIssue[]; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }
}

/** Zod issues as field errors with dotted paths (`credentials.username`). */
export function zodErrors(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

export function validationError(errors: FieldIssue[]): AppError {
  const n = errors.length;
  return new AppError("validation", `${n} field${n === 1 ? " is" : "s are"} invalid`, { errors });
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldIssue[];
  requestId: string;
  [key: string]: unknown;
}

export const PROBLEM_BASE = "https://berth.dev/problems/";

/** The problem+json body for an error; anything that is not an AppError says nothing of itself. */
export function toProblem(err: unknown, requestId: string): Problem {
  if (err instanceof AppError) {
    return {
      ...err.extra,
      type: PROBLEM_BASE + err.code.replace(/_/g, "-"),
      title: ERROR_TITLE[err.code],
      status: err.status,
      detail: err.message,
      ...(err.errors ? { errors: err.errors } : {}),
      requestId,
    };
  }
  return {
    type: PROBLEM_BASE + "internal",
    title: ERROR_TITLE.internal,
    status: 500,
    detail: `An unexpected error occurred. Quote request id ${requestId} when reporting it.`,
    requestId,
  };
}
