import { describe, expect, it } from "vitest";
import { malformedFormResponse, malformedPathResponse } from "./path-encoding";

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

describe("malformedFormResponse", () => {
  const post = (path: string, body: BodyInit, type?: string) =>
    new Request(`http://127.0.0.1${path}`, { method: "POST", body, headers: type ? { "content-type": type } : {} });

  it("is a 400 problem+json for a multipart POST to a page whose body does not parse", async () => {
    for (const [body, type] of [
      ['{"a":1}', "multipart/form-data; boundary=x"],
      ["--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated", "multipart/form-data; boundary=x"],
      ["anything", "multipart/form-data"],
    ] as const) {
      const res = await malformedFormResponse(post("/login", body, type), "/login", "rid-12345678");
      expect(res?.status, body).toBe(400);
      expect(res!.headers.get("content-type")).toBe("application/problem+json");
      expect(await res!.json()).toMatchObject({ type: "https://berth.dev/problems/bad-request", status: 400, requestId: "rid-12345678" });
    }
  });

  it("lets a well-formed form through and leaves the body for the page", async () => {
    const form = new FormData();
    form.set("email", "owner@example.test");
    const req = post("/login", form);
    expect(await malformedFormResponse(req, "/login", "r")).toBeNull();
    expect((await req.formData()).get("email")).toBe("owner@example.test");
  });

  it("does not read other requests: API paths, other methods and other types", async () => {
    expect(await malformedFormResponse(post("/api/v1/me", "x", "multipart/form-data; boundary=x"), "/api/v1/me", "r")).toBeNull();
    expect(await malformedFormResponse(post("/downloads/x", "x", "multipart/form-data; boundary=x"), "/downloads/x", "r")).toBeNull();
    expect(await malformedFormResponse(post("/login", "x", "text/plain"), "/login", "r")).toBeNull();
    const get = new Request("http://127.0.0.1/login", { headers: { "content-type": "multipart/form-data; boundary=x" } });
    expect(await malformedFormResponse(get, "/login", "r")).toBeNull();
  });
});
