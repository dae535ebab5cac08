import { describe, expect, it } from "vitest";
import { metricsAccess } from "./metrics-endpoint";
import { metrics, observeHttpRequest, methodLabel } from "@/lib/metrics";

describe("metrics access", () => {
  it("is disabled without a token, whatever the request carries", () => {
    expect(metricsAccess("Bearer anything", undefined)).toBe("disabled");
    expect(metricsAccess(null, "")).toBe("disabled");
  });

  it("needs the exact bearer token", () => {
    const token = "m3tr1cs-token-value";
    expect(metricsAccess(`Bearer ${token}`, token)).toBe("ok");
    expect(metricsAccess(`bearer ${token}`, token)).toBe("ok");
    expect(metricsAccess(null, token)).toBe("unauthorized");
    expect(metricsAccess(`Bearer ${token}x`, token)).toBe("unauthorized");
    expect(metricsAccess(`Bearer ${token.slice(0, -1)}`, token)).toBe("unauthorized");
    expect(metricsAccess(`Basic ${token}`, token)).toBe("unauthorized");
    expect(metricsAccess("Bearer ", token)).toBe("unauthorized");
  });
});

describe("metrics registry", () => {
  it("is one per process (on globalThis) and counts requests by route, method and status", async () => {
    expect(metrics()).toBe((globalThis as unknown as { berthMetrics: unknown }).berthMetrics);
    observeHttpRequest("/api/ready", "GET", 200, 0.01);
    observeHttpRequest("/api/ready", "GET", 200, 0.02);
    observeHttpRequest("/api/ready", "BREW", 503, 0.5);
    const text = await metrics().registry.metrics();
    expect(text).toContain('berth_http_requests_total{route="/api/ready",method="GET",status="200"} 2');
    expect(text).toContain('berth_http_requests_total{route="/api/ready",method="other",status="503"} 1');
    expect(text).toContain('berth_http_request_duration_seconds_count{route="/api/ready",method="GET",status_class="2xx"} 2');
    expect(methodLabel("patch")).toBe("PATCH");
  });
});
