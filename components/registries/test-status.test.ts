import { describe, expect, it } from "vitest";
import { testResultToast } from "./test-status";

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
