/** The ECR section of docs/benchmarks.md (bench/ecr.ts measures, bench/run.ts and bench/ecr.ts write it). Pure. */
import { fmt, median, percentile } from "./lib";

export const ECR_START = "<!-- ecr: written by bench/ecr.ts -->";
export const ECR_END = "<!-- /ecr -->";

export interface EcrRow {
  awsLatencyMs: number;
  cold: number[];
  warm: number[];
  basic: number[];
  awsAuthColdMs: number[];
}

export interface EcrResult {
  db: string;
  runs: number;
  rows: EcrRow[];
}

export { fmt, median, percentile };

/** The section of docs/benchmarks.md, between its markers. */
export function renderEcr(result: EcrResult): string {
  const mp = (xs: number[]) => `${fmt(median(xs))} (p90 ${fmt(percentile(xs, 0.9))})`;
  const L = [
    ECR_START,
    "## Amazon ECR: Test Connection with a cold and a warm token cache",
    "",
    `\`bench/ecr.ts\` (also run by \`npm run bench\`): a saved ECR registry tested through the route handlers in-process (${result.db}), against the test suite's fake AWS API (it verifies every SigV4 signature, then answers with a token) and a TLS htpasswd \`docker-registry\`, ${result.runs} alternating runs per side. **cold**: the cached token deleted first, so the test exchanges the key (GetAuthorizationToken) and stores the token; **warm**: the cached token (no AWS request); **basic**: the same registry saved as a custom Basic registry (no exchange at all). The fake AWS API answers at once, or after 100 ms (about a round trip to an AWS region). Median (p90), ms.`,
    "",
    "| AWS answers after | cold | warm | basic (no exchange) | warm ÷ cold | aws-auth stage, cold |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of result.rows) {
    L.push(`| ${r.awsLatencyMs} ms | ${mp(r.cold)} | ${mp(r.warm)} | ${mp(r.basic)} | ${(median(r.warm) / median(r.cold)).toFixed(2)}× | ${mp(r.awsAuthColdMs)} |`);
  }
  L.push("", ECR_END);
  return L.join("\n");
}

/** Replaces (or appends before the notes) the ECR section of docs/benchmarks.md. */
export function writeEcrSection(text: string, section: string): string {
  if (text.includes(ECR_START) && text.includes(ECR_END)) {
    return text.slice(0, text.indexOf(ECR_START)) + section + text.slice(text.indexOf(ECR_END) + ECR_END.length);
  }
  const notes = "<!-- notes: kept by npm run bench -->";
  return text.includes(notes) ? text.replace(notes, `${section}\n\n${notes}`) : `${text}\n${section}\n`;
}

