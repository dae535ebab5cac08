import "server-only";
import { unstable_rethrow } from "next/navigation";
import { AppError, type FieldIssue } from "@/lib/errors";
import { log } from "@/lib/log";

export type ActionResult<T = undefined> =
  | { ok: true; data: T }
  /** `status` is the HTTP status the API gives for the same failure (404 for an unknown or malformed id). */
  | { ok: false; error: string; fieldErrors: Record<string, string>; status: number };

/** Runs a server action's body; expected failures become values, bugs a generic message. */
export async function runAction<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (err) {
    unstable_rethrow(err);
    if (err instanceof AppError) return { ok: false, error: err.message, fieldErrors: fieldMap(err.errors ?? []), status: err.status };
    const id = crypto.randomUUID();
    log.error({ err, errorId: id }, "server action failed");
    return { ok: false, error: `Something went wrong (error ${id}). Try again.`, fieldErrors: {}, status: 500 };
  }
}

function fieldMap(errors: FieldIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.path] ??= e.message;
  return out;
}
