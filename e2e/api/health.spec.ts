import { expect, test } from "@playwright/test";

test("health and readiness answer JSON with a request id", async ({ request }) => {
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({ status: "ok" });
  expect(health.headers()["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);

  const ready = await request.get("/api/ready", { headers: { "X-Request-Id": "e2e-request-0001" } });
  expect(ready.status()).toBe(200);
  expect(ready.headers()["x-request-id"]).toBe("e2e-request-0001");
  expect(await ready.json()).toMatchObject({ status: "ready", checks: { database: "ok", migrations: "ok" } });
});
