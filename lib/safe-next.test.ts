import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

/** Each of these, followed as a redirect by a browser, could leave the site (or hides a way to). */
const HOSTILE: unknown[] = [
  "//evil.example",
  "///evil.example",
  "////evil.example/path",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "/%5Cevil.example",
  "/%5cevil.example",
  "/%255Cevil.example",
  "/\t/evil.example",
  "/%09/evil.example",
  "/\n/evil.example",
  "/%0A/evil.example",
  "/\r/evil.example",
  "/%0d%0a/evil.example",
  "/%00/evil.example",
  "/\u0000evil",
  " /evil.example",
  "/ /evil.example",
  "/%2F/evil.example",
  "/%2f%2fevil.example",
  "/%252F%252Fevil.example",
  "/.//evil.example",
  "/..//evil.example",
  "/%2e//evil.example",
  "/a/../..//evil.example",
  "https://evil.example",
  "http:evil.example",
  "//user:pass@evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
  "",
  "/\u3000/evil.example",
  "/\u2028/evil.example",
  "/\ufeff/evil.example",
  "/%E2%80%A8/evil.example",
  "/%zz",
  "/" + "a".repeat(2048),
  null,
  undefined,
  42,
  ["/ok"],
  { toString: () => "/ok" },
];

const GOOD = [
  "/",
  "/acme/settings/registries",
  "/acme/settings/registries?type=ecr&page=2",
  "/acme/settings/members#invites",
  "/invite/abc_DEF-123",
  "/account",
  "/search?q=hello%20world",
  "/a.b/c..d/.well-known",
];

describe("safeNext", () => {
  it(`refuses ${HOSTILE.length} hostile values`, () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(25);
    for (const value of HOSTILE) expect(safeNext(value), JSON.stringify(value)).toBe("/");
  });

  it("keeps paths of this site as they are", () => {
    for (const value of GOOD) expect(safeNext(value)).toBe(value);
  });

  it("uses the given fallback", () => {
    expect(safeNext("//evil.example", "/account")).toBe("/account");
    expect(safeNext("/account", "/x")).toBe("/account");
  });
});
