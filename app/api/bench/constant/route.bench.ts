import { REFERENCE_PAGE } from "@/lib/bench/reference-page";
import { json, withErrors } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Benchmark build only: the framework's ceiling, a constant JSON body the size of a 50-row page. */
export const GET = withErrors(async (_req, { requestId }) => json(REFERENCE_PAGE, { requestId }));
