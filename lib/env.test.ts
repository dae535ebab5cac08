import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env";

describe("parseEnv", () => {
  it("fills the documented defaults", () => {
    const e = parseEnv({});
    expect(e.BERTH_DATA_DIR).toBe("./.data");
    expect(e.PORT).toBe(3000);
    expect(e.BERTH_TEST_TIMEOUT_MS).toBe(10_000);
    expect(e.BERTH_TEST_RATE_LIMIT).toBe(20);
    expect(e.BERTH_PULL_RATE_LIMIT).toBe(120);
    expect(e.OUTBOUND_ALLOW_CIDRS).toEqual([]);
    expect(e.LOG_LEVEL).toBe("info");
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.BERTH_DRAIN_MS).toBe(5_000);
    expect(e.BERTH_SHUTDOWN_TIMEOUT_MS).toBe(25_000);
    expect(e.BERTH_DB_POOL_MAX).toBe(10);
  });

  it("reads the pool size", () => {
    expect(parseEnv({ BERTH_DB_POOL_MAX: "40" }).BERTH_DB_POOL_MAX).toBe(40);
  });

  it("reads the shutdown timings", () => {
    const e = parseEnv({ BERTH_DRAIN_MS: "0", BERTH_SHUTDOWN_TIMEOUT_MS: "3000" });
    expect(e.BERTH_DRAIN_MS).toBe(0);
    expect(e.BERTH_SHUTDOWN_TIMEOUT_MS).toBe(3000);
  });

  it("splits CIDR lists", () => {
    expect(parseEnv({ OUTBOUND_ALLOW_CIDRS: "127.0.0.1/32, ::1/128" }).OUTBOUND_ALLOW_CIDRS).toEqual(["127.0.0.1/32", "::1/128"]);
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ BERTH_TEST_TIMEOUT_MS: "-5" }, "BERTH_TEST_TIMEOUT_MS"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ BERTH_PULL_RATE_LIMIT: "0" }, "BERTH_PULL_RATE_LIMIT"],
    [{ AUTH_SECRET: "short" }, "AUTH_SECRET"],
    [{ BERTH_DRAIN_MS: "1.5" }, "BERTH_DRAIN_MS"],
    [{ BERTH_SHUTDOWN_TIMEOUT_MS: "10" }, "BERTH_SHUTDOWN_TIMEOUT_MS"],
    [{ BERTH_DB_POOL_MAX: "0" }, "BERTH_DB_POOL_MAX"],
    [{ BERTH_ADMIN_EMAIL: "a@b.co" }, "BERTH_ADMIN_EMAIL"],
    [{ AUTH_OIDC_ISSUER: "https://idp.example.test" }, "AUTH_OIDC_ISSUER"],
  ])("names the bad variable in %j", (source, name) => {
    expect(() => parseEnv(source)).toThrow(ConfigError);
    expect(() => parseEnv(source)).toThrow(new RegExp(`\\b${name}\\b`));
  });
});
