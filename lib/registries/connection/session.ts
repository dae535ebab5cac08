/** State of one Test Connection run and the stop signal its stages raise. */
import { adviceFor, retryAfterText, stageMessage } from "./messages";
import { NetworkFailure } from "./network-errors";
import { hintsOf } from "./hints";
import { registryErrorOf, retryAfterOf, isHttpToHttpsAnswer } from "./answers";
import type { PreparedInput } from "./format";
import type { HttpResponse, TransportSettings } from "./transport";
import type { FieldIssue } from "@/lib/errors";
import type { StageName, StageReport, TestDetails, TestStatus } from "./types";

/** Ends the run with a status; caught by `testConnection` and turned into a result. */
export class StageStop extends Error {
  constructor(
    readonly status: TestStatus,
    readonly stage: StageName,
    message: string,
    readonly details: Partial<TestDetails> = {},
  ) {
    super(message);
    this.name = "StageStop";
  }
}

export interface Session {
  prepared: PreparedInput;
  settings: TransportSettings;
  stages: StageReport[];
  details: TestDetails;
  warnings: FieldIssue[];
  /** Secrets seen during the run (tokens received), for the final redaction. */
  secrets: string[];
}

export function recordStage(session: Session, name: StageName, ok: boolean, ms: number, detail?: string): void {
  session.stages.push({ name, ok, ms: Math.round(ms), ...(detail ? { detail } : {}) });
}

/** Runs one stage: records its timing, and turns network failures into a stop at `stage`. */
export async function runStage<T>(
  session: Session,
  stage: StageName,
  work: () => Promise<T>,
  detail?: (value: T) => string | undefined,
): Promise<T> {
  const started = performance.now();
  try {
    const value = await work();
    recordStage(session, stage, true, performance.now() - started, detail?.(value));
    return value;
  } catch (error) {
    if (!session.stages.some((entry) => entry.name === stage && !entry.ok)) {
      recordStage(session, stage, false, performance.now() - started);
    }
    if (error instanceof NetworkFailure) throw stopForNetwork(error, stage);
    throw error;
  }
}

export function stopForNetwork(failure: NetworkFailure, stage: StageName): StageStop {
  return new StageStop(failure.status, stage, stageMessage(stage, failure.message, adviceFor(failure.status)), {
    ...(failure.code ? { networkCode: failure.code } : {}),
  });
}

/**
 * The stop for an unexpected HTTP status at `stage` (`what` names the
 * request, e.g. "GET /v2/ on ghcr.io"). 401/403 carry the type's hints.
 */
export function stopForStatus(session: Session, stage: StageName, what: string, response: HttpResponse): StageStop {
  const info = registryErrorOf(response.body);
  // A known error code and Berth's wording of it; never the body's own text (answers.ts).
  const quoted = info.code ? ` (${info.code}: ${info.message})` : "";
  const details: Partial<TestDetails> = { httpStatus: response.status, ...(info.code ? { errorCode: info.code } : {}) };
  const rules = hintsOf(session.prepared.type);
  const status = response.status;
  const stop = (testStatus: TestStatus, text: string, advice = adviceFor(testStatus)) =>
    new StageStop(testStatus, stage, stageMessage(stage, `${what} answered ${status}${quoted}${text}`, advice), details);

  if (status === 429) {
    const retryAfter = retryAfterOf(response);
    return new StageStop("rate_limited", stage, stageMessage(stage, `${what} answered 429 (too many requests)`, adviceFor("rate_limited") + retryAfterText(retryAfter)), {
      ...details,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    });
  }
  if (status === 408 || status >= 500) return stop("registry_error", "");
  if (isHttpToHttpsAnswer(response)) {
    return stop("tls_protocol", ": the port speaks HTTPS", "Turn plain HTTP off (use an https:// URL).");
  }
  if (status === 401) {
    return session.prepared.credentials
      ? stop("invalid_credentials", ": the credentials were refused", rules.credentialHint)
      : stop("invalid_credentials", ": the registry requires credentials", rules.credentialHint);
  }
  if (status === 403) return stop("forbidden", ": access denied", rules.permissionHint);
  if (status === 404) return stop(stage === "ping" ? "not_a_registry" : "registry_error", "");
  return stop(stage === "ping" ? "not_a_registry" : "registry_error", "");
}
