import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, toProblem } from "./errors";
import { readJson, withErrors } from "./http";

function req(body: string, type = "application/json") {
  return new Request("http://localhost/x", { method: "POST", body, headers: { "content-type": type } });
}

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected an AppError");
}

describe("readJson", () => {
  const schema = z.object({ name: z.string(), credentials: z.object({ username: z.string() }) });
  it("parses a valid body", async () => {
    await expect(readJson(req('{"name":"a","credentials":{"username":"u"}}'), schema)).resolves.toEqual({ name: "a", credentials: { username: "u" } });
  });
  it("415 for a body that is not JSON", async () => {
    expect((await errorOf(readJson(req("name=a", "application/x-www-form-urlencoded"), schema))).status).toBe(415);
  });
  it("413 over 64 KiB", async () => {
    expect((await errorOf(readJson(req(JSON.stringify({ name: "x".repeat(70_000) })), schema))).status).toBe(413);
  });
  it("400, not the database's 503, for a body whose connection closed before it ended", async () => {
    // What Node's server gives a handler when the client goes away mid-body.
    const aborted = Object.assign(new Error("aborted"), { code: "ECONNRESET" });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"name":'));
        controller.error(aborted);
      },
    });
    const cut = new Request("http://localhost/x", { method: "POST", body, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit);
    const e = await errorOf(readJson(cut));
    expect([e.status, e.code]).toEqual([400, "bad_request"]);
  });
  it("400 for malformed JSON", async () => {
    const e = await errorOf(readJson(req("{nope"), schema));
    expect([e.status, e.message]).toEqual([400, "The body is not valid JSON"]);
  });
  it("400 for nesting deeper than 64 levels (10 000 levels once overflowed the stack: a 500), not for 64", async () => {
    for (const deep of ["[".repeat(10_000) + "]".repeat(10_000), '{"a":'.repeat(7_500) + "1" + "}".repeat(7_500), JSON.stringify({ name: "[[[[" }).replace("}", ',"x":' + "[".repeat(65) + "]".repeat(65) + "}")]) {
      const e = await errorOf(readJson(req(deep)));
      expect([e.status, e.errors]).toEqual([400, [{ path: "", message: "Must not be nested deeper than 64 levels" }]]);
    }
    // Brackets inside strings do not count.
    await expect(readJson(req(JSON.stringify({ name: "[".repeat(1000) })))).resolves.toEqual({ name: "[".repeat(1000) });
    await expect(readJson(req("[".repeat(64) + "]".repeat(64)))).resolves.toBeInstanceOf(Array);
  });
  it("400 with dotted paths for schema errors", async () => {
    const e = await errorOf(readJson(req('{"name":"a","credentials":{}}'), schema));
    expect(e.status).toBe(400);
    expect(e.errors).toEqual([{ path: "credentials.username", message: expect.any(String) }]);
    expect(toProblem(e, "rid")).toMatchObject({ type: "https://berth.dev/problems/validation", title: "Invalid request", status: 400, detail: "1 field is invalid", requestId: "rid" });
  });
});

describe("withErrors", () => {
  it("turns unexpected errors into a 500 that reveals nothing", async () => {
    const handler = withErrors(async () => {
      throw new Error("connection string postgres://user:pw@db/secret");
    });
    const res = await handler(new Request("http://localhost/x", { headers: { "x-request-id": "req-12345678" } }) as never, { params: Promise.resolve({}) });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("x-request-id")).toBe("req-12345678");
    const text = await res.text();
    expect(text).not.toContain("postgres://");
    expect(JSON.parse(text)).toMatchObject({ status: 500, requestId: "req-12345678" });
  });
  it("maps AppError to its status with extra headers", async () => {
    const handler = withErrors(async () => {
      throw new AppError("rate_limited", "Slow down", { headers: { "Retry-After": "7" } });
    });
    const res = await handler(new Request("http://localhost/x") as never, { params: Promise.resolve({}) });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
  });
  it("answers 503 problem+json when the database cannot be reached, saying nothing of the connection", async () => {
    const handler = withErrors(async () => {
      throw new Error("Failed query: select 1\nparams: postgres://user:pw@db", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }) });
    });
    const res = await handler(new Request("http://localhost/x") as never, { params: Promise.resolve({}) });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("retry-after")).toBe("2");
    const text = await res.text();
    expect(text).not.toMatch(/postgres:|5432|ECONNREFUSED/);
    expect(JSON.parse(text)).toMatchObject({ status: 503, type: "https://berth.dev/problems/unavailable" });
  });
});

describe("NUL characters", () => {
  it("are a 400 with the field's path, in bodies and in query strings", async () => {
    const e = await errorOf(readJson(req(JSON.stringify({ name: "a\u0000b", credentials: { username: "u" } }))));
    expect([e.status, e.errors]).toEqual([400, [{ path: "name", message: "Must not contain NUL characters" }]]);
    const { assertNoNulInQuery } = await import("./http");
    expect(() => assertNoNulInQuery(new URLSearchParams("filter.action=%00x"))).toThrow(AppError);
    expect(() => assertNoNulInQuery(new URLSearchParams("filter.action=token.created"))).not.toThrow();
  });
});
