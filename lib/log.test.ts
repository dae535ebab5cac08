import { Writable } from "node:stream";
import { instanceId } from "@/lib/instance-id";
import { describe, expect, it } from "vitest";
import { createLogger } from "./log";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: "info", destination }), lines };
}

describe("logger redaction", () => {
  it("removes headers, passwords, tokens and credential secrets by path", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        req: { headers: { authorization: "Bearer brt_SECRET1", cookie: "authjs.session-token=SECRET2" } },
        password: "SECRET3",
        body: { credentials: { username: "bob", password: "SECRET4", serviceAccountKey: "SECRET5", secretAccessKey: "SECRET6" } },
        token: "SECRET7",
      },
      "hello",
    );
    const out = lines.join("");
    for (let i = 1; i <= 7; i++) expect(out).not.toContain(`SECRET${i}`);
    expect(out).toContain('"username":"bob"');
    expect(JSON.parse(out)).toMatchObject({ level: "info", msg: "hello", app: "berth" });
  });

  it("names the instance on every line with the id of X-Berth-Instance", () => {
    const { logger, lines } = capture();
    logger.info("one");
    logger.warn({ a: 1 }, "two");
    const ids = lines.map((l) => JSON.parse(l).instance);
    expect(ids).toEqual([instanceId(), instanceId()]);
    expect(instanceId()).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe("error serialisation", () => {
  it("drops the bound parameters of a failed query from message and stack", () => {
    const { logger, lines } = capture();
    const err = new Error('Failed query: insert into "users" ("email", "password_hash") values ($1, $2)\nparams: a@b.co,$argon2id$v=19$SECRETHASH');
    err.stack = `Error: ${err.message}\n    at insert (db.ts:1:1)`;
    Object.assign(err, { query: "insert …", params: ["a@b.co", "$argon2id$v=19$SECRETHASH"] });
    logger.error({ err }, "boom");
    const out = lines.join("");
    expect(out).not.toContain("SECRETHASH");
    expect(out).toContain("params: [redacted]");
    expect(out).toContain("Failed query: insert into");
  });
});
