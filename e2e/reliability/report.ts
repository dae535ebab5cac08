/**
 * Turns the figures the reliability suites recorded (test-results/reliability/*.json, written by
 * e2e/support/figures.ts) into a Markdown report: docs/reliability.md after a full run
 * (`npm run test:reliability`), test-results/reliability.md after `npm test`'s short one.
 *
 *   tsx e2e/reliability/report.ts [--out FILE] [--commit SHA] [--note TEXT]
 *
 * Exits 1 when a suite failed or an expected suite recorded nothing, so the runner fails too.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FIGURES_DIR, type SuiteFigures, type SuiteName } from "../support/figures";

type Recorded = SuiteFigures & { mode: "short" | "full"; recordedAt: string };

/** The order of the report, with each suite's heading and what it proves. */
export const SUITES: { name: SuiteName; heading: string; proves: string }[] = [
  { name: "load", heading: "Load", proves: "a mixed workload on the production build and PostgreSQL: no 5xx, no connection error, rows = acknowledged creates − acknowledged deletes, every row decryptable" },
  { name: "races", heading: "Races", proves: "parallel creates of one URL, parallel PATCHes with one If-Match, delete against update and pull secret: one winner, 409/412 for the rest, a consistent end state" },
  { name: "crashes", heading: "Crashes and faults", proves: "kill -9 during writes loses no acknowledged write (PostgreSQL and embedded PGlite); a PostgreSQL restart under load fails fast with 503 and recovers by itself; an unwritable data directory is a clear start-up error" },
  { name: "fuzz", heading: "Fuzzing", proves: "generated requests across every endpoint: no 5xx, none slower than 5 s, the server alive, every 4xx a valid problem+json" },
  { name: "matrix", heading: "Access matrix", proves: "every endpoint and server action × every kind of caller × own and another company, each cell's exact status" },
  { name: "leaks", heading: "Secret leaks", proves: "canary secrets in every registry type and every other secret the product holds, searched for everywhere they must not be" },
  { name: "hardening", heading: "Web hardening", proves: "CSP with per-request nonces on every page without violations, security headers, cross-origin and non-JSON refusal on every state-changing route" },
  { name: "flaws", heading: "Flaws found in review", proves: "the regressions of the review's findings that need a running server" },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function readRecorded(dir: string): Recorded[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Recorded);
}

function cell(v: string | number): string {
  return String(v).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function figuresTable(figures: Record<string, number | string>): string[] {
  const entries = Object.entries(figures);
  if (entries.length === 0) return [];
  return ["| figure | value |", "|---|---|", ...entries.map(([k, v]) => `| ${cell(k)} | ${cell(typeof v === "number" ? format(v) : v)} |`), ""];
}

function format(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString("en-US");
  return n.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function renderReport(recorded: Recorded[], meta: { commit: string; date: string; machine: string; note?: string }): { markdown: string; failed: string[] } {
  const failed: string[] = [];
  const modes = new Set(recorded.map((r) => r.mode));
  const mode = modes.size === 1 ? [...modes][0] : modes.size === 0 ? "none" : "mixed";
  const lines: string[] = [
    "# Reliability and security figures",
    "",
    `Written by \`npm run test:reliability\` (e2e/reliability/report.ts) from the figures each suite recorded. Run: commit \`${meta.commit}\`, ${meta.date}, ${meta.machine}, mode **${mode}**. ` +
      "`npm test` runs a short version of every suite (CI); this page holds the last full run.",
    "",
    ...(meta.note ? [meta.note, ""] : []),
    "| suite | result | what it proves |",
    "|---|---|---|",
  ];
  for (const s of SUITES) {
    const parts = recorded.filter((r) => r.suite === s.name);
    const result = parts.length === 0 ? "not run" : parts.every((p) => p.passed) ? "pass" : "**FAIL**";
    if (parts.length === 0 || !parts.every((p) => p.passed)) failed.push(s.name);
    lines.push(`| [${s.heading}](#${s.heading.toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-")}) | ${result} | ${s.proves} |`);
  }
  lines.push("");
  for (const s of SUITES) {
    const parts = recorded.filter((r) => r.suite === s.name);
    lines.push(`## ${s.heading}`, "");
    if (parts.length === 0) {
      lines.push("Not run: no figures were recorded.", "");
      continue;
    }
    for (const p of parts) {
      lines.push(`### ${p.part ? `${p.part}: ` : ""}${p.title}`, "", `${p.passed ? "Passed" : "**Failed**"} (${p.mode} mode, ${p.recordedAt}).`, "");
      lines.push(...figuresTable(p.figures));
      for (const t of p.tables ?? []) {
        lines.push(`**${t.title}**`, "", `| ${t.columns.map(cell).join(" | ")} |`, `|${t.columns.map(() => "---").join("|")}|`);
        for (const row of t.rows) lines.push(`| ${row.map((v) => cell(typeof v === "number" ? format(v) : v)).join(" | ")} |`);
        lines.push("");
      }
      for (const n of p.notes ?? []) lines.push(`- ${n}`);
      if (p.notes?.length) lines.push("");
    }
  }
  return { markdown: lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n", failed };
}

function main() {
  const out = arg("--out") ?? path.join(__dirname, "..", "..", "docs", "reliability.md");
  const recorded = readRecorded(FIGURES_DIR);
  const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
  const { markdown, failed } = renderReport(recorded, { commit: arg("--commit") ?? gitCommit(), date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC", machine, note: arg("--note") });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, markdown);
  console.log(`wrote ${out}: ${recorded.length} parts; ${failed.length ? `failed or missing: ${failed.join(", ")}` : "every suite passed"}`);
  process.exitCode = failed.length ? 1 : 0;
}

if (require.main === module) main();
