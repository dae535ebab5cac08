import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateSigningSecret, signatureHeader, verifySignature } from "./signing";

describe("Berth-Signature", () => {
  const secret = "whsec_test-secret-0123456789";
  const body = '{"id":"e1","type":"ping"}';
  const at = new Date("2026-11-22T10:00:00Z");

  it("is t=UNIX,v1=HMAC-SHA256(t.body) as Stripe signs", () => {
    const header = signatureHeader(secret, body, at);
    const t = Math.floor(at.getTime() / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`);
  });

  it("verifies the same body and refuses a changed body, another secret or an old timestamp", () => {
    const header = signatureHeader(secret, body, at);
    expect(verifySignature(secret, header, body, { now: at })).toBe(true);
    expect(verifySignature(secret, header, body.replace("ping", "pong"), { now: at })).toBe(false);
    expect(verifySignature("whsec_other", header, body, { now: at })).toBe(false);
    expect(verifySignature(secret, header, body, { now: new Date(at.getTime() + 301_000) })).toBe(false);
    expect(verifySignature(secret, "t=abc,v1=00", body, { now: at })).toBe(false);
    expect(verifySignature(secret, undefined, body, { now: at })).toBe(false);
  });

  it("generates distinct whsec_ secrets of 32 random bytes", () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateSigningSecret()).not.toBe(a);
  });
});
