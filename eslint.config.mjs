import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/** Tests and the code that exists only for them: they may import test support and route modules. */
const TEST_FILES = [
  "**/*.test.ts",
  "**/*.test.tsx",
  "**/*.testkit.ts",
  "**/fixtures.ts",
  "**/*-fixtures.ts",
  "lib/testing/**",
  "e2e/**",
  "bench/**",
  // The benchmark build's reference routes and pages (compiled only with BERTH_BENCH_ROUTES=1).
  "**/*.bench.ts",
  "**/*.bench.tsx",
  "lib/bench/**",
  "vitest.config.mts",
  "playwright.config.ts",
];

/** Test helpers, fake servers and fixture data never reach the application or its bundle. */
const TEST_SUPPORT = {
  regex: "(^|/)(lib/testing|testing|e2e|bench)/|\\.testkit(\\.ts)?$|(^|/)([\\w-]+-)?fixtures(\\.ts)?$",
  message: "Test support (lib/testing/, *.testkit.ts, fixtures, e2e/, bench/) is for tests only. Move what production code needs into a production module.",
};

/** Dependencies point from app/ (routes, pages, actions) down to lib/, never back up. */
const APP_FROM_LIB = {
  regex: "^@/app(/|$)|^(\\.\\./)+app(/|$)",
  message: "lib/ sits below app/: move the shared code into lib/ instead of importing a route, page or action.",
};

/** lib/auth/ holds building blocks (sessions, passwords, tokens, permissions): services sit above it. */
const SERVICES_FROM_AUTH = {
  regex: "^@/lib/(context|audit-log|api-tokens|companies/service|registries)(/|$)",
  message: "lib/auth/ is below the services and the request context: move the shared piece down instead.",
};

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", ".next-*/**", "node_modules/**", ".data/**", "db/migrations/**", "test-results/**", "playwright-report/**", "bench/out/**", "next-env.d.ts"],
  },
  {
    files: ["**/*.{ts,tsx,mts,mjs,js,jsx}"],
    ignores: TEST_FILES,
    rules: { "no-restricted-imports": ["error", { patterns: [TEST_SUPPORT] }] },
  },
  {
    // A later block replaces the rule's options, so this one repeats the test-support pattern.
    files: ["lib/**/*.{ts,tsx}"],
    ignores: TEST_FILES,
    rules: { "no-restricted-imports": ["error", { patterns: [TEST_SUPPORT, APP_FROM_LIB] }] },
  },
  {
    files: ["lib/auth/**/*.{ts,tsx}"],
    ignores: TEST_FILES,
    rules: { "no-restricted-imports": ["error", { patterns: [TEST_SUPPORT, APP_FROM_LIB, SERVICES_FROM_AUTH] }] },
  },
];

export default config;
