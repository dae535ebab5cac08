import { describe, expect, it } from "vitest";
import { malformedPathResponse } from "./path-encoding";

describe("malformedPathResponse", () => {
  it("is a 400 problem+json for percent-encoding that is not UTF-8, and null for any path that decodes", async () => {
    for (const p of ["/api/v1/companies/%ED%A0%80/registries", "/api/%C0%AF", "/api/v1/companies/%zz", "/x/%E2%82"]) {
      const res = malformedPathResponse(p, "rid-12345678");
      expect(res?.status, p).toBe(400);
      expect(res!.headers.get("content-type")).toBe("application/problem+json");
      expect(await res!.json()).toMatchObject({ type: "https://berth.dev/problems/bad-request", title: "Bad request", status: 400, requestId: "rid-12345678" });
    }
    for (const p of ["/api/v1/me", "/api/%2e%2e/x", "/api/%2F", "/acme/settings/%F0%9F%A6%80", "/api/%00"]) expect(malformedPathResponse(p, "r")).toBeNull();
  });
});
