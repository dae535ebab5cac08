/**
 * Issue 16, "a format check is a ReDoS": every regular expression in lib/registries must run in
 * time linear in its input. Two checks:
 *
 * - a scan of every regex literal in the module's sources (found with the TypeScript parser, so a
 *   new pattern is covered without being listed here), run on adversarial inputs: the pattern's
 *   own leading literal followed by a long run of one filler (whitespace, letters, digits, "/",
 *   "-", …) and a character that makes the match fail, which is what drives a backtracking
 *   engine quadratic on overlapping quantifiers;
 * - the service-account key check itself, through the create schema, on a 64 KiB key whose
 *   private_key is a PEM header followed by whitespace.
 *
 * Times are compared between a small and a large input (linear: ~the size ratio; quadratic: its
 * square) and bounded absolutely with a margin generous enough for a loaded 2-core machine.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { recordFigures } from "@/e2e/support/figures";
import { parseCaBundle } from "./connection/format";
import { FAKE_CA_CERTIFICATE, FAKE_SERVICE_ACCOUNT_KEY, registryFixture } from "./fixtures";
import { createRegistrySchema, parseRegistryInput } from "./schemas";

const ROOT = path.join(__dirname);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

interface Found {
  where: string;
  regex: RegExp;
}

function regexLiterals(): Found[] {
  const found: Found[] = [];
  for (const file of sourceFiles(ROOT)) {
    const text = fs.readFileSync(file, "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const literal = node.getText(source);
        const end = literal.lastIndexOf("/");
        const flags = literal.slice(end + 1);
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        // `test` from index 0: a sticky pattern only matches there, which `^` says without `y`.
        const body = flags.includes("y") ? `^(?:${literal.slice(1, end)})` : literal.slice(1, end);
        found.push({ where: `${path.relative(ROOT, file)}:${line} ${literal}`, regex: new RegExp(body, flags.replace(/[gy]/g, "")) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** The literal text a pattern starts with (after `^`), so the adversarial run gets past it. */
function leadingLiteral(regex: RegExp): string {
  let out = "";
  const src = regex.source.replace(/^\^/, "");
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\\") {
      const next = src[i + 1] ?? "";
      if (/[.\-/\\()[\]{}*+?^$|]/.test(next)) {
        out += next;
        i++;
        continue;
      }
      break;
    }
    if (/[.()[\]{}*+?^$|]/.test(c)) break;
    out += c;
  }
  // A quantifier applies to the last character only: leave it to the filler.
  return /[*+?{]/.test(src[out.length] ?? "") ? out.slice(0, -1) : out;
}

const FILLERS = [" ", "\t", "\n", "a", "A", "z", "0", "9", "-", ".", "/", ":", "=", "_", "+", "@", "a.", "a-", "0.", "-a", "/a", "a/", "ab", "\\", "%2", "\u00e9"];
const ENDINGS = ["\u0000", "!", " ", ""];

function timeMs(run: () => void, repeat: number): number {
  const started = performance.now();
  for (let i = 0; i < repeat; i++) run();
  return (performance.now() - started) / repeat;
}

/** Figures for the reliability report (suite "flaws", part "redos"), written before the assertions. */
const figures: Record<string, number | string> = {};
let allPassed = true;
function record(passed: boolean) {
  allPassed &&= passed;
  recordFigures({
    suite: "flaws",
    part: "redos",
    title: "ReDoS: every regex literal in lib/registries on adversarial inputs, and the service-account key check on keys of whitespace up to 64 KiB",
    passed: allPassed,
    figures,
  });
}

describe("every regex in lib/registries runs in linear time", () => {
  const regexes = regexLiterals();

  it("finds the module's patterns", () => {
    expect(regexes.length).toBeGreaterThan(40);
    expect(regexes.some((r) => r.where.startsWith("schemas.ts"))).toBe(true);
  });

  it("on long runs after each pattern's leading literal (32 KiB, the largest field)", () => {
    const SMALL = 512;
    const LARGE = 32 * 1024;
    const slow: string[] = [];
    let worst = { ms: 0, what: "" };
    for (const { where, regex } of regexes) {
      const prefix = leadingLiteral(regex);
      for (const filler of FILLERS) {
        for (const ending of ENDINGS) {
          const large = prefix + filler.repeat(LARGE / filler.length) + ending;
          const ms = timeMs(() => regex.test(large), 1);
          if (ms > worst.ms) worst = { ms, what: `${where} on ${JSON.stringify(filler)}` };
          if (ms > 20) {
            // Confirm it is the growth, not a pause of the machine: the small input must be far cheaper.
            const small = prefix + filler.repeat(SMALL / filler.length) + ending;
            const smallMs = timeMs(() => regex.test(small), 20);
            const again = timeMs(() => regex.test(large), 1);
            if (again > 20 && again / Math.max(smallMs, 0.001) > (LARGE / SMALL) * 4) slow.push(`${where} on ${JSON.stringify(filler)}+${JSON.stringify(ending)}: ${again.toFixed(0)} ms`);
          }
        }
      }
    }
    Object.assign(figures, { "regexes scanned": regexes.length, "inputs per regex": FILLERS.length * ENDINGS.length, "worst 32 KiB case (ms)": Number(worst.ms.toFixed(2)), "worst case": worst.what, "quadratic patterns": slow.length });
    record(slow.length === 0);
    expect(slow, `worst ${worst.what}: ${worst.ms.toFixed(1)} ms`).toEqual([]);
  });
});

describe("the service-account key check", () => {
  function gcrBody(privateKey: string): unknown {
    const key = { ...(JSON.parse(FAKE_SERVICE_ACCOUNT_KEY) as Record<string, unknown>), private_key: privateKey };
    const body = registryFixture("gcr") as { credentials: Record<string, unknown> };
    body.credentials.serviceAccountKey = JSON.stringify(key);
    return body;
  }
  const adversarial = (bytes: number) => gcrBody(`-----BEGIN PRIVATE KEY-----${" ".repeat(bytes)}x`);

  function parseMs(body: unknown, repeat: number) {
    let ok = true;
    const ms = timeMs(() => {
      ok = parseRegistryInput(createRegistrySchema, body).ok;
    }, repeat);
    return { ms, ok };
  }

  it("refuses a 64 KiB key of whitespace after the PEM header in well under 50 ms, growing linearly", () => {
    const small = parseMs(adversarial(1024), 20);
    const large = parseMs(adversarial(64 * 1024), 5);
    const ratio = large.ms / Math.max(small.ms, 0.01);
    Object.assign(figures, { "key check, 1 KiB whitespace (ms)": Number(small.ms.toFixed(3)), "key check, 64 KiB whitespace (ms)": Number(large.ms.toFixed(3)), "64 KiB / 1 KiB": Number(ratio.toFixed(1)) });
    record(large.ms < 50 && ratio < 640 && !small.ok && !large.ok);
    expect(small.ok).toBe(false);
    expect(large.ok).toBe(false);
    expect(large.ms, `1 KiB ${small.ms.toFixed(2)} ms, 64 KiB ${large.ms.toFixed(2)} ms`).toBeLessThan(50);
    // 64 times the input: linear is ~64x (plus JSON.parse); quadratic would be ~4096x.
    expect(ratio, `1 KiB ${small.ms.toFixed(2)} ms, 64 KiB ${large.ms.toFixed(2)} ms`).toBeLessThan(640);
  });

  it("refuses keys of whitespace under each size limit (private key 16 KiB, field 32 KiB) quickly", () => {
    for (const kib of [15, 30]) {
      const { ms, ok } = parseMs(adversarial(kib * 1024), 5);
      figures[`key check, ${kib} KiB whitespace (ms)`] = Number(ms.toFixed(3));
      record(!ok && ms < 50);
      expect(ok).toBe(false);
      expect(ms, `${kib} KiB`).toBeLessThan(50);
    }
  });

  it("refuses a key under the size limit whose private_key repeats the PEM header, quickly", () => {
    const header = "-----BEGIN PRIVATE KEY-----";
    const { ms, ok } = parseMs(gcrBody(`${header} `.repeat(1000)), 3);
    expect(ok).toBe(false);
    expect(ms).toBeLessThan(50);
  });

  it("refuses a CA certificate field that repeats the BEGIN line without an END, quickly", () => {
    const body = registryFixture("quay") as { credentials: Record<string, unknown> };
    body.credentials.url = "quay.example.com";
    body.credentials.caCertificate = "-----BEGIN CERTIFICATE----- ".repeat(1100);
    const started = performance.now();
    expect(parseRegistryInput(createRegistrySchema, body).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("still accepts a real-looking key, with CRLF line ends too", () => {
    expect(parseRegistryInput(createRegistrySchema, registryFixture("gcr")).ok).toBe(true);
    const pem = (JSON.parse(FAKE_SERVICE_ACCOUNT_KEY) as { private_key: string }).private_key;
    expect(parseRegistryInput(createRegistrySchema, gcrBody(pem.replace(/\n/g, "\r\n"))).ok).toBe(true);
  });

  it("refuses a private_key whose body is not base64 or that lacks its END line", () => {
    const pem = (JSON.parse(FAKE_SERVICE_ACCOUNT_KEY) as { private_key: string }).private_key;
    expect(parseRegistryInput(createRegistrySchema, gcrBody(pem.replace("-----END PRIVATE KEY-----", ""))).ok).toBe(false);
    expect(parseRegistryInput(createRegistrySchema, gcrBody(pem.replace("QmVy", "Qm!y"))).ok).toBe(false);
    expect(parseRegistryInput(createRegistrySchema, gcrBody("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n")).ok).toBe(false);
  });
});

describe("the engine's CA bundle parser", () => {
  it("reads a bundle of 4000 BEGIN lines without END in linear time (it was 0.4 s)", () => {
    const started = performance.now();
    expect(parseCaBundle("-----BEGIN CERTIFICATE-----\n".repeat(4000) + "x")).toBeUndefined();
    const ms = performance.now() - started;
    figures["CA bundle, 4000 BEGIN lines (ms)"] = Number(ms.toFixed(2));
    record(ms < 50);
    expect(ms).toBeLessThan(50);
  });

  it("still refuses a fixture that is not a real certificate and an empty block", () => {
    expect(parseCaBundle(FAKE_CA_CERTIFICATE)).toBeUndefined();
    expect(parseCaBundle("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----")).toBeUndefined();
  });
});
