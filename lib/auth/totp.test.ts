import { describe, expect, it } from "vitest";
import {
  acceptTotp,
  formatManualKey,
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  normalizeRecoveryCode,
  stepAt,
  totpCodeAt,
  totpUri,
} from "./totp";

// RFC 6238 appendix B's SHA-1 secret ("12345678901234567890") in base32, and its published codes.
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const T0 = 1_111_111_109_000; // 2005-03-18T01:58:29Z, code 081804 (the last six of 07081804)

describe("TOTP", () => {
  it("matches the RFC 6238 test vectors", () => {
    expect(totpCodeAt(RFC_SECRET, 59_000)).toBe("287082");
    expect(totpCodeAt(RFC_SECRET, T0)).toBe("081804");
    expect(totpCodeAt(RFC_SECRET, 1_234_567_890_000)).toBe("005924");
  });

  it("accepts the current step and ±1 step, and refuses ±2", () => {
    const now = T0;
    const step = stepAt(now);
    for (const d of [-1, 0, 1]) {
      const code = totpCodeAt(RFC_SECRET, now + d * 30_000);
      expect(acceptTotp(RFC_SECRET, code, now), `step ${d}`).toBe(step + d);
    }
    for (const d of [-2, 2]) {
      const code = totpCodeAt(RFC_SECRET, now + d * 30_000);
      expect(acceptTotp(RFC_SECRET, code, now), `step ${d}`).toBeNull();
    }
  });

  it("refuses malformed codes and another secret's code; spaces inside are allowed", () => {
    const other = generateTotpSecret();
    const code = totpCodeAt(RFC_SECRET, T0);
    expect(acceptTotp(other, code, T0)).toBeNull();
    expect(acceptTotp(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, T0)).toBe(stepAt(T0));
    for (const bad of ["", "12345", "1234567", "abcdef", "08180４"]) expect(acceptTotp(RFC_SECRET, bad, T0)).toBeNull();
  });

  it("makes 160-bit base32 secrets and an otpauth URI for the account", () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(generateTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri(secret, "ann@example.test"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe(secret);
    expect(uri.searchParams.get("issuer")).toBe("Berth");
    expect(decodeURIComponent(uri.pathname)).toContain("ann@example.test");
    expect(formatManualKey("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
  });
});

describe("recovery codes", () => {
  it("makes ten distinct 80-bit codes in four groups of four", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
  });

  it("normalizes case, spaces, dashes and look-alike letters; refuses anything else", () => {
    const [code] = generateRecoveryCodes(1);
    const n = normalizeRecoveryCode(code!);
    expect(n).toBe(code!.replace(/-/g, ""));
    expect(normalizeRecoveryCode(` ${code!.toUpperCase().replace(/-/g, " ")} `)).toBe(n);
    expect(normalizeRecoveryCode("oooo-iiii-llll-0000")).toBe("0000111111110000");
    for (const bad of ["", "123456", "abcd-efgh-jkmn-pqr", "abcd-efgh-jkmn-pqrsu", "abcd-efgh-jkmn-pqr!"]) expect(normalizeRecoveryCode(bad)).toBeNull();
  });

  it("hashes are bound to the user and never contain the code", () => {
    const n = normalizeRecoveryCode(generateRecoveryCodes(1)[0]!)!;
    const a = hashRecoveryCode("user-a", n);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toContain(n);
    expect(hashRecoveryCode("user-b", n)).not.toBe(a);
    expect(hashRecoveryCode("user-a", n)).toBe(a);
  });
});
