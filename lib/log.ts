import pino from "pino";
import { instanceId } from "@/lib/instance-id";

/**
 * Structured JSON logs. Secrets are removed by path, so that a header, a password or a
 * credential field passed to a log call by mistake never reaches the output.
 */
const SECRET_KEYS = [
  "password",
  "token",
  "secret",
  "secretAccessKey",
  "sessionToken",
  "serviceAccountKey",
  "privateKey",
  "accessToken",
  "refreshToken",
  "authorization",
  "cookie",
  "apiKey",
  "setupCode",
  "inviteCode",
];

const paths: string[] = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
];
for (const key of SECRET_KEYS) {
  paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
}

export const REDACT_PATHS = paths;

/** Query errors carry their bound parameters in the message ("params: …"); they never reach a log. */
const PARAMS = /\nparams: [\s\S]*?(?=\n {4}at |$)/g;
export function serializeError(err: unknown) {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  const scrub = (o: Record<string, unknown>, depth: number) => {
    if ("params" in o) o.params = "[redacted]";
    for (const key of ["message", "stack"]) {
      if (typeof o[key] === "string") o[key] = (o[key] as string).replace(PARAMS, "\nparams: [redacted]");
    }
    if (depth < 4 && o.cause && typeof o.cause === "object") scrub(o.cause as Record<string, unknown>, depth + 1);
  };
  scrub(out, 0);
  return out;
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}) {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      // `instance` is the X-Berth-Instance id, so log lines of several instances can be told apart.
      base: { app: "berth", instance: instanceId() },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // The CLI keeps stdout for its result (a token alone), so its logs go to stderr.
    options.destination ?? (process.env.BERTH_CLI === "1" ? pino.destination(2) : undefined),
  );
}

const globalForLog = globalThis as unknown as { berthLogger?: pino.Logger };

export const log: pino.Logger = (globalForLog.berthLogger ??= createLogger());
