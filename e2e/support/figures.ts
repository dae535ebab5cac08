import fs from "node:fs";
import path from "node:path";

/**
 * The reliability and security suites (issue 16) run short in `npm test` and full in
 * `npm run test:reliability` (BERTH_RELIABILITY=full). Each suite records its figures here as
 * JSON, one file per part; e2e/reliability/report.ts turns the full run's files into
 * docs/reliability.md.
 */
export type ReliabilityMode = "short" | "full";

export function reliabilityMode(): ReliabilityMode {
  return process.env.BERTH_RELIABILITY === "full" ? "full" : "short";
}

export type SuiteName = "load" | "races" | "crashes" | "fuzz" | "matrix" | "leaks" | "hardening" | "flaws";

export interface FigureTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface SuiteFigures {
  suite: SuiteName;
  /** Distinguishes several files of one suite (e.g. "postgres", "pglite"); file name `<suite>.<part>.json`. */
  part?: string;
  /** One line saying what was run, e.g. "mixed workload, 200 connections for 60 s". */
  title: string;
  passed: boolean;
  /** Headline numbers: requests, errors by class, p50/p99 ms, lost writes, cases, cells, hits… */
  figures: Record<string, number | string>;
  tables?: FigureTable[];
  notes?: string[];
}

export const FIGURES_DIR = path.join(__dirname, "..", "..", "test-results", "reliability");

/** Writes one part's figures (mode and time added); returns the file written. */
export function recordFigures(f: SuiteFigures): string {
  fs.mkdirSync(FIGURES_DIR, { recursive: true });
  const file = path.join(FIGURES_DIR, `${f.suite}${f.part ? `.${f.part}` : ""}.json`);
  fs.writeFileSync(file, JSON.stringify({ ...f, mode: reliabilityMode(), recordedAt: new Date().toISOString() }, null, 2) + "\n");
  return file;
}
