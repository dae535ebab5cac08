/** Time budget of one Test Connection: a total limit, per-stage limits and the caller's abort signal. */
import { codedError } from "./network-errors";

/** Per-stage ceilings (each also capped by what is left of the total). */
export const STAGE_LIMITS_MS = { dns: 5_000, tcp: 5_000, tls: 5_000, http: 8_000 } as const;

export class Deadline {
  private readonly startedAt = performance.now();

  constructor(
    readonly totalMs: number,
    readonly signal?: AbortSignal,
  ) {}

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  remainingMs(): number {
    return Math.max(0, this.totalMs - this.elapsedMs());
  }

  /** Milliseconds a stage may take: its own limit or what is left, whichever is less. */
  budgetMs(stageLimitMs: number): number {
    return Math.min(stageLimitMs, this.remainingMs());
  }

  get cancelled(): boolean {
    return this.signal?.aborted ?? false;
  }
}

/**
 * Settles with `work`, or rejects with an `ETIMEDOUT` error after the stage
 * budget or an `ABORT_ERR` when the caller aborts; `onAbort` then tears the
 * work down (destroys its socket).
 */
export function withinBudget<T>(
  work: Promise<T>,
  deadline: Deadline,
  stageLimitMs: number,
  what: string,
  onAbort: (error: Error) => void = () => undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const budget = deadline.budgetMs(stageLimitMs);
    const stop = (error: Error) => {
      cleanup();
      onAbort(error);
      reject(error);
    };
    const onSignal = () => stop(codedError("ABORT_ERR", `${what} was cancelled`));
    const timer = setTimeout(() => stop(codedError("ETIMEDOUT", `${what} took longer than ${Math.round(budget)} ms`)), budget);
    const cleanup = () => {
      clearTimeout(timer);
      deadline.signal?.removeEventListener("abort", onSignal);
    };
    if (deadline.cancelled) {
      onSignal();
      return;
    }
    deadline.signal?.addEventListener("abort", onSignal, { once: true });
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
