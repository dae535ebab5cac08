import { notFound } from "next/navigation";
import type { NextRequest } from "next/server";
import { withErrors, otherMethods } from "@/lib/http";
import { metricsAccess, metricsText, metricsUnauthorized } from "@/lib/server/metrics-endpoint";

export const dynamic = "force-dynamic";

const scrape = withErrors(async (req) => {
  if (metricsAccess(req.headers.get("authorization")) !== "ok") throw metricsUnauthorized();
  const { body, contentType } = await metricsText();
  return new Response(body, { status: 200, headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
});

/** Prometheus metrics: only with BERTH_METRICS_TOKEN set (else the 404 of a missing route), for that bearer token. */
export async function GET(req: NextRequest, segment: { params: Promise<Record<string, never>> }): Promise<Response> {
  // Outside the error wrapper: notFound() throws Next's own signal, which renders the 404 page.
  if (metricsAccess(null) === "disabled") notFound();
  return scrape(req, segment);
}

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
