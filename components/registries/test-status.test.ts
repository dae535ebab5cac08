import { describe, expect, it } from "vitest";
import { exchangeSummary, stageLabel, testResultToast, tokenExpiry, verifiedItems, withLocalTimes } from "./test-status";

describe("testResultToast", () => {
  it("says a passed test passed, with its time and no description", () => {
    expect(testResultToast("GHCR", { status: "success", message: "Signed in", latencyMs: 42 })).toEqual({ tone: "success", title: "GHCR: test passed (42 ms)" });
  });

  it("warns for a result that is neither a pass nor a failure", () => {
    expect(testResultToast("Hub", { status: "not_verified", message: "Anonymous access", latencyMs: 5 })).toEqual({
      tone: "warning",
      title: "Hub: not verified",
      description: "Anonymous access",
    });
    expect(testResultToast("ECR", { status: "not_supported", message: "Cannot test", latencyMs: 0 }).tone).toBe("warning");
  });

  it("is an error for a failed connection, with the registry's message", () => {
    expect(testResultToast("Harbor", { status: "invalid_credentials", message: "Wrong password", latencyMs: 9 })).toEqual({
      tone: "error",
      title: "Harbor: connection failed",
      description: "Wrong password",
    });
  });
});

describe("the ECR exchange in a result", () => {
  const exchange = { endpoint: "api.ecr.us-east-1.amazonaws.com", registryHost: "123456789012.dkr.ecr.us-east-1.amazonaws.com", expiresAt: "2026-03-04T20:07:00.000Z", cached: false, ms: 80 };
  const stages = (awsOk: boolean) => [
    { name: "format" as const, ok: true, ms: 0 },
    { name: "aws-auth" as const, ok: awsOk, ms: 80 },
    ...(awsOk ? [{ name: "auth" as const, ok: true, ms: 20 }] : []),
  ];
  const result = (awsOk: boolean, cached = false) => ({
    ok: awsOk,
    status: awsOk ? ("success" as const) : ("invalid_credentials" as const),
    stage: awsOk ? ("auth" as const) : ("aws-auth" as const),
    message: "",
    latencyMs: 100,
    stages: stages(awsOk),
    details: { exchange: { ...exchange, cached } },
    warnings: [],
  });

  it("says for which host the token is and until when, in the local time zone", () => {
    expect(exchangeSummary(exchange, "en-US", "Europe/Berlin")).toBe(
      "AWS accepted the access key (api.ecr.us-east-1.amazonaws.com): ECR token for 123456789012.dkr.ecr.us-east-1.amazonaws.com, valid until Mar 4, 2026, 09:07 PM GMT+1",
    );
    expect(tokenExpiry(exchange.expiresAt, "en-GB", "America/New_York")).toBe("4 Mar 2026, 15:07 GMT-5");
  });

  it("says (cached) for a token from the cache, and not that AWS saw the key", () => {
    const text = exchangeSummary({ ...exchange, cached: true }, "en-US", "UTC");
    expect(text).toBe("ECR token for 123456789012.dkr.ecr.us-east-1.amazonaws.com, valid until Mar 4, 2026, 08:07 PM UTC (cached)");
    expect(text).not.toContain("AWS accepted");
  });

  it("is the first thing a passed test proved, and absent when the AWS sign-in failed", () => {
    expect(verifiedItems(result(true))[0]).toMatch(/^AWS accepted the access key \(api\.ecr\.us-east-1\.amazonaws\.com\): ECR token for 123456789012\./);
    expect(verifiedItems(result(true, true))[0]).toMatch(/\(cached\)$/);
    expect(verifiedItems(result(false)).join(" ")).not.toContain("ECR token");
  });

  it("writes a stage detail's instants in local time, and leaves the rest alone", () => {
    expect(withLocalTimes("GetAuthorizationToken at 127.0.0.1:1 for 127.0.0.1:2, valid until 2026-03-04T20:07:00.991Z", "en-US", "Europe/Berlin")).toBe(
      "GetAuthorizationToken at 127.0.0.1:1 for 127.0.0.1:2, valid until Mar 4, 2026, 09:07 PM GMT+1",
    );
    expect(withLocalTimes("HTTP 401, retry at 2026-03-04", "en-US", "UTC")).toBe("HTTP 401, retry at 2026-03-04");
  });

  it("names the AWS sign-in stage", () => {
    expect(stageLabel("aws-auth")).toBe("AWS sign-in");
  });
});
