import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/env";
import { generateKeySpec, loadServerSecrets, parseKeyring } from "./keyring";

const dirs: string[] = [];
function tmp() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "berth-keys-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("parseKeyring", () => {
  it("takes the first key as active", () => {
    const ring = parseKeyring(`${generateKeySpec("a")}, ${generateKeySpec("b")}`);
    expect(ring.active.id).toBe("a");
    expect([...ring.keys.keys()]).toEqual(["a", "b"]);
  });
  it.each([
    ["", /empty/],
    ["nokey", /id:base64key/],
    ["k1:c2hvcnQ=", /32 bytes/],
    [`${generateKeySpec("k1")},${generateKeySpec("k1")}`, /twice/],
    ["bad id:AAAA", /id:base64key/],
  ])("rejects %j", (spec, message) => {
    expect(() => parseKeyring(spec)).toThrow(message);
  });
});

describe("loadServerSecrets", () => {
  it("generates the key and auth secret once, mode 0600, and reuses them", () => {
    const dir = tmp();
    const first = loadServerSecrets({ dataDir: dir });
    expect(first.generated.map((f) => path.basename(f)).sort()).toEqual(["auth-secret", "encryption.key"]);
    for (const f of first.generated) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    const second = loadServerSecrets({ dataDir: dir });
    expect(second.generated).toEqual([]);
    expect(second.keyring.active.key.equals(first.keyring.active.key)).toBe(true);
    expect(second.authSecret).toBe(first.authSecret);
  });

  it("refuses to run on PostgreSQL without ENCRYPTION_KEYS and AUTH_SECRET", () => {
    const dir = tmp();
    expect(() => loadServerSecrets({ dataDir: dir, databaseUrl: "postgres://x/y" })).toThrow(ConfigError);
    expect(() => loadServerSecrets({ dataDir: dir, databaseUrl: "postgres://x/y" })).toThrow(/ENCRYPTION_KEYS and AUTH_SECRET must be set/);
    expect(() =>
      loadServerSecrets({ dataDir: dir, databaseUrl: "postgres://x/y", encryptionKeys: generateKeySpec() }),
    ).toThrow(/AUTH_SECRET must be set/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("uses the configured values when given", () => {
    const spec = generateKeySpec("prod");
    const s = loadServerSecrets({ dataDir: tmp(), databaseUrl: "postgres://x/y", encryptionKeys: spec, authSecret: "x".repeat(40) });
    expect(s.keyring.active.id).toBe("prod");
    expect(s.generated).toEqual([]);
  });
});
