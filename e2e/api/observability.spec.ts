/**
 * Request logs and metrics against a real server started with BERTH_METRICS_TOKEN:
 * - `/api/metrics` answers 401 without or with a wrong token, and for the token the Prometheus
 *   text format, parsed here by an independent parser (parse-prometheus-text-format); the
 *   counters move by exactly the traffic the test sent, labelled by route pattern;
 * - without BERTH_METRICS_TOKEN (the shared server) it is the 404 of a route that does not exist;
 * - the server prints one JSON line per request, with its request id, route pattern, status,
 *   duration, company id and client address, and never the token or a query string.
 */
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { startBerth, type BerthServer } from "../support/server";
import { ADMIN, bootstrapOwner } from "../support/session";

const METRICS_TOKEN = `metrics-${Date.now()}-e2e-token`;
const LIST = "/api/v1/companies/[companyId]/registries";

let server: BerthServer;
let api: APIRequestContext;

test.beforeAll(async () => {
  server = await startBerth({
    BERTH_METRICS_TOKEN: METRICS_TOKEN,
    BERTH_ADMIN_EMAIL: ADMIN.email,
    BERTH_ADMIN_PASSWORD: ADMIN.password,
    BERTH_COMPANY_NAME: ADMIN.company,
  });
  api = await playwrightRequest.newContext({ baseURL: server.url });
});

test.afterAll(async () => {
  await api?.dispose();
  await server?.stop();
});

interface Scrape {
  families: ParsedFamily[];
  text: string;
}

async function scrape(): Promise<Scrape> {
  const res = await fetch(`${server.url}/api/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  // The parser throws on any line that is not valid text exposition format.
  return { families: parsePrometheusTextFormat(text), text };
}

/**
 * parse-prometheus-text-format 1.1.1 folds the series of a labelled histogram into one
 * (buckets without labels), so a histogram series' count is read from its `_count` line.
 */
function histogramCount(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}_count{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

function family(families: ParsedFamily[], name: string): ParsedFamily {
  const f = families.find((x) => x.name === name);
  expect(f, `metric ${name}`).toBeTruthy();
  return f!;
}

/** The value of the sample with exactly these labels (0 when absent). */
function value(families: ParsedFamily[], name: string, labels: Record<string, string>): number {
  const sample = family(families, name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? 0);
}

test("metrics: 401 without the token, counters that move by the traffic sent, bounded labels", async () => {
  for (const authorization of [undefined, "Bearer wrong-token", `Basic ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`]) {
    const res = await fetch(`${server.url}/api/metrics`, { headers: authorization ? { Authorization: authorization } : {} });
    expect(res.status, authorization ?? "no header").toBe(401);
    const body = await res.text();
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(body)).toMatchObject({ status: 401, requestId: res.headers.get("x-request-id") });
    expect(body).not.toContain(METRICS_TOKEN);
  }

  const { companyId, token } = await bootstrapOwner(api, ["registries:read", "registries:write"]);
  const before = await scrape();
  const auth = { Authorization: `Bearer ${token}` };
  const N = 7;
  for (let i = 0; i < N; i++) expect((await api.get(`/api/v1/companies/${companyId}/registries?limit=${i + 1}`, { headers: auth })).status()).toBe(200);
  // Another company's id: a 404 of the same route pattern, not a new label per id.
  const other = "00000000-0000-4000-8000-000000000000";
  expect((await api.get(`/api/v1/companies/${other}/registries`, { headers: auth })).status()).toBe(404);
  // Test Connection on unsaved values (a loopback port nothing listens on): one outcome.
  const tested = await api.post(`/api/v1/companies/${companyId}/registries/validate`, {
    data: { type: "custom", credentials: { url: "http://127.0.0.1:9", username: "u", password: "p-123456" } },
    headers: auth,
  });
  expect(tested.status(), await tested.text()).toBe(200);
  const testStatus = (await tested.json()).status as string;
  // Random paths share one label.
  for (const p of ["/nothing-here-1", "/nothing-here-2/abc"]) expect((await api.get(p)).status()).toBe(404);
  const after = await scrape();

  const delta = (name: string, labels: Record<string, string>) => value(after.families, name, labels) - value(before.families, name, labels);
  expect(delta("berth_http_requests_total", { route: LIST, method: "GET", status: "200" })).toBe(N);
  expect(delta("berth_http_requests_total", { route: LIST, method: "GET", status: "404" })).toBe(1);
  expect(delta("berth_http_requests_total", { route: "/api/v1/companies/[companyId]/registries/validate", method: "POST", status: "200" })).toBe(1);
  expect(delta("berth_http_requests_total", { route: "(unmatched)", method: "GET", status: "404" })).toBe(2);
  const hLabels = { route: LIST, method: "GET", status_class: "2xx" };
  expect(histogramCount(after.text, "berth_http_request_duration_seconds", hLabels) - histogramCount(before.text, "berth_http_request_duration_seconds", hLabels)).toBe(N);
  expect(delta("berth_connection_tests_total", { status: testStatus })).toBe(1);
  // The scrape before this one counted too.
  expect(delta("berth_http_requests_total", { route: "/api/metrics", method: "GET", status: "200" })).toBe(1);

  expect(family(after.families, "berth_http_request_duration_seconds").type).toBe("HISTOGRAM");
  const inf = after.text.split("\n").find((l) => l.startsWith("berth_http_request_duration_seconds_bucket{") && l.includes('le="+Inf"') && l.includes(`route="${LIST}"`) && l.includes('status_class="2xx"'));
  expect(Number(inf?.split(" ").pop())).toBe(histogramCount(after.text, "berth_http_request_duration_seconds", hLabels));
  for (const name of ["berth_scheduled_checks_total", "berth_webhook_deliveries_total", "berth_jobs_running", "berth_jobs_queued", "berth_http_requests_in_flight", "berth_process_cpu_seconds_total", "berth_nodejs_heap_size_used_bytes"]) {
    expect(after.families.some((f) => f.name === name), name).toBe(true);
  }
  expect(value(after.families, "berth_jobs_queued", { state: "scheduled" }) + value(after.families, "berth_jobs_queued", { state: "due" })).toBeGreaterThan(0);
  // No raw path or id in any label (nor anywhere in the exposition).
  expect(after.text).not.toContain(companyId);
  const labels = after.families.flatMap((f) => f.metrics.flatMap((m) => Object.values(m.labels ?? {})));
  expect(labels.filter((l) => l.includes(companyId) || l.includes(other) || l.includes("nothing-here"))).toEqual([]);
});

test("one log line per request with the documented fields, no token, no query string", async () => {
  const { companyId, token } = await bootstrapOwner(api, ["registries:read"]);
  const ids = Array.from({ length: 3 }, (_, i) => `e2e-log-${Date.now()}-${i}`);
  for (const id of ids) {
    const res = await api.get(`/api/v1/companies/${companyId}/registries?limit=5&access_token=${token}`, { headers: { Authorization: `Bearer ${token}`, "X-Request-Id": id } });
    expect(res.status()).toBe(200);
    expect(res.headers()["x-request-id"]).toBe(id);
  }
  const problemId = `e2e-log-${Date.now()}-problem`;
  const problem = await api.get(`/api/v1/companies/${companyId}/registries`, { headers: { Authorization: "Bearer brt_not-a-real-token-000", "X-Request-Id": problemId } });
  expect(problem.status()).toBe(401);
  expect(await problem.json()).toMatchObject({ requestId: problemId });

  // The line is written when the response ends: give the server a moment to flush it.
  await expect.poll(() => server.output().includes(problemId)).toBe(true);
  const lines = server.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const id of ids) {
    const mine = lines.filter((l) => l.requestId === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ msg: "request", level: "info", method: "GET", route: LIST, status: 200, companyId, client: "127.0.0.1", durationMs: expect.any(Number) });
  }
  const denied = lines.filter((l) => l.requestId === problemId);
  expect(denied).toHaveLength(1);
  expect(denied[0]).toMatchObject({ route: LIST, status: 401 });
  expect(denied[0]!.companyId).toBeUndefined(); // no company context without a caller
  expect(server.output()).not.toContain(token);
  expect(server.output()).not.toContain("brt_not-a-real-token-000");
  expect(server.output()).not.toContain("access_token");
  expect(server.output()).not.toContain(METRICS_TOKEN);
});

test("without BERTH_METRICS_TOKEN /api/metrics is the 404 of a missing route", async ({ request }) => {
  const metrics = await request.get("/api/metrics", { headers: { Authorization: "Bearer anything" } });
  const missing = await request.get("/api/metrics-does-not-exist", { headers: { Authorization: "Bearer anything" } });
  expect(metrics.status()).toBe(404);
  expect(missing.status()).toBe(404);
  const same = ["content-type", "cache-control", "vary"];
  const pick = (h: Record<string, string>) => Object.fromEntries(same.map((k) => [k, h[k]]));
  expect(pick(metrics.headers())).toEqual(pick(missing.headers()));
  expect(metrics.headers()["content-type"]).toContain("application/problem+json");
  // The same problem, but for its request id.
  const body = async (r: typeof metrics) => ({ ...(await r.json()), requestId: undefined });
  expect(await body(metrics)).toEqual(await body(missing));
});
