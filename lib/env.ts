import { z } from "zod";

/**
 * The environment, validated once. Every variable Berth reads is here; a missing or
 * malformed one stops the start with a message naming it.
 */
const csv = z
  .string()
  .optional()
  .transform((v) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean));

const intFrom = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      error: "must be a postgres:// or postgresql:// URL",
    }),
    BERTH_DATA_DIR: z.string().optional().transform((v) => (v && v.trim() !== "" ? v : "./.data")),
    ENCRYPTION_KEYS: optionalString,
    AUTH_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
      error: "must be at least 32 characters",
    }),
    PORT: intFrom(3000, 1, 65535),
    BERTH_ADMIN_EMAIL: optionalString.refine((v) => v === undefined || z.email().safeParse(v).success, {
      error: "must be an email address",
    }),
    BERTH_ADMIN_PASSWORD: optionalString.refine((v) => v === undefined || v.length >= 12, {
      error: "must be at least 12 characters (and not a common password)",
    }),
    BERTH_COMPANY_NAME: optionalString,
    OUTBOUND_ALLOW_CIDRS: csv,
    BERTH_TEST_TIMEOUT_MS: intFrom(10_000, 100, 120_000),
    BERTH_TEST_RATE_LIMIT: intFrom(20, 1, 10_000),
    /** Pull secrets per API token (or per signed-in user) per minute. */
    BERTH_PULL_RATE_LIMIT: intFrom(120, 1, 100_000),
    BERTH_TRUSTED_PROXIES: csv,
    AWS_ENDPOINT_URL_ECR: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), {
      error: "must be an http(s) URL",
    }),
    AUTH_OIDC_ISSUER: optionalString,
    AUTH_OIDC_ID: optionalString,
    AUTH_OIDC_SECRET: optionalString,
    BERTH_METRICS_TOKEN: optionalString,
    /** Minutes between scheduled health checks of a registry, unless its company set its own. */
    BERTH_CHECK_INTERVAL_MINUTES: intFrom(60, 1, 1440),
    /** `off`: this instance runs no job runner (a web-only tier); the other instances do the jobs. */
    BERTH_JOBS: z
      .string()
      .optional()
      .transform((v) => (v ?? "").trim().toLowerCase() || "on")
      .pipe(z.enum(["on", "off"], { error: "must be on or off" })),
    /** On SIGTERM: how long readiness answers 503 while requests are still served (load balancers stop sending). */
    BERTH_DRAIN_MS: intFrom(5_000, 0, 600_000),
    /** After the drain: the limit for in-flight requests, running jobs and closing the pool; past it the exit code is 1. */
    BERTH_SHUTDOWN_TIMEOUT_MS: intFrom(25_000, 100, 600_000),
    /** With DATABASE_URL: connections this instance keeps to PostgreSQL at most (its pool). */
    BERTH_DB_POOL_MAX: intFrom(10, 1, 500),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((env, ctx) => {
    const admin = [env.BERTH_ADMIN_EMAIL, env.BERTH_ADMIN_PASSWORD, env.BERTH_COMPANY_NAME];
    if (admin.some(Boolean) && !admin.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["BERTH_ADMIN_EMAIL"],
        message: "BERTH_ADMIN_EMAIL, BERTH_ADMIN_PASSWORD and BERTH_COMPANY_NAME go together: set all three or none",
      });
    }
    const oidc = [env.AUTH_OIDC_ISSUER, env.AUTH_OIDC_ID, env.AUTH_OIDC_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_OIDC_ISSUER"],
        message: "AUTH_OIDC_ISSUER, AUTH_OIDC_ID and AUTH_OIDC_SECRET go together: set all three or none",
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses an environment; throws a ConfigError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "environment"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The process environment, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
