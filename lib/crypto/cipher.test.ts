import { describe, expect, it } from "vitest";
import { CryptoError, blobKeyId, decryptSecrets, encryptSecrets } from "./cipher";
import { generateKeySpec, parseKeyring } from "./keyring";

const binding = { companyId: "c0a80101-0000-4000-8000-000000000001", registryId: "c0a80101-0000-4000-8000-0000000000aa" };
const secrets = { password: "hunter2-very-secret", token: "ghp_abcdefghijklmnopqrstuvwxyz0123456789" };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CryptoError ? err.code : `not a CryptoError: ${String(err)}`;
  }
  return undefined;
}

describe("AES-256-GCM secret blobs", () => {
  const keyring = parseKeyring(generateKeySpec("k1"));

  it("round-trips and never contains the plaintext", () => {
    const blob = encryptSecrets(keyring, secrets, binding);
    expect(blob.startsWith("v1.k1.")).toBe(true);
    expect(blob).not.toContain("hunter2");
    expect(Buffer.from(blob.split(".")[3]!, "base64url").toString("latin1")).not.toContain("hunter2");
    expect(decryptSecrets(keyring, blob, binding)).toEqual(secrets);
    expect(blobKeyId(blob)).toBe("k1");
  });

  it("uses a fresh nonce each time", () => {
    const a = encryptSecrets(keyring, secrets, binding);
    const b = encryptSecrets(keyring, secrets, binding);
    expect(a).not.toBe(b);
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
    expect(Buffer.from(a.split(".")[2]!, "base64url")).toHaveLength(12);
  });

  it("rejects a tampered byte", () => {
    const blob = encryptSecrets(keyring, secrets, binding);
    const parts = blob.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[3] = body[3]! ^ 0x01;
    parts[3] = body.toString("base64url");
    expect(codeOf(() => decryptSecrets(keyring, parts.join("."), binding))).toBe("authentication_failed");
  });

  it("rejects a blob moved to another row or company", () => {
    const blob = encryptSecrets(keyring, secrets, binding);
    expect(codeOf(() => decryptSecrets(keyring, blob, { ...binding, registryId: "c0a80101-0000-4000-8000-0000000000bb" }))).toBe(
      "authentication_failed",
    );
    expect(codeOf(() => decryptSecrets(keyring, blob, { ...binding, companyId: "c0a80101-0000-4000-8000-000000000002" }))).toBe(
      "authentication_failed",
    );
  });

  it("names an unknown key id", () => {
    const other = parseKeyring(generateKeySpec("k9"));
    const blob = encryptSecrets(other, secrets, binding);
    expect(codeOf(() => decryptSecrets(keyring, blob, binding))).toBe("unknown_key");
  });

  it("fails with the wrong key under the same id", () => {
    const impostor = parseKeyring(generateKeySpec("k1"));
    const blob = encryptSecrets(keyring, secrets, binding);
    expect(codeOf(() => decryptSecrets(impostor, blob, binding))).toBe("authentication_failed");
  });

  it("rejects malformed blobs", () => {
    expect(codeOf(() => decryptSecrets(keyring, "garbage", binding))).toBe("malformed");
    expect(codeOf(() => decryptSecrets(keyring, "v2.k1.aaaa.bbbb", binding))).toBe("malformed");
    expect(codeOf(() => decryptSecrets(keyring, "v1.k1.AAAA.AAAA", binding))).toBe("malformed");
  });

  it("decrypts old blobs with a retired key listed after the active one", () => {
    const old = parseKeyring(generateKeySpec("old"));
    const blob = encryptSecrets(old, secrets, binding);
    const oldSpec = `old:${old.active.key.toString("base64")}`;
    const both = parseKeyring(`${generateKeySpec("new")},${oldSpec}`);
    expect(both.active.id).toBe("new");
    expect(decryptSecrets(both, blob, binding)).toEqual(secrets);
  });
});
