#!/usr/bin/env bash
# `npm run test:reliability`: the full reliability and security suites of issue 16, then
# docs/reliability.md from their figures. Needs what `npm test` needs (a PostgreSQL on
# 127.0.0.1:5432 or DATABASE_URL on loopback, chromium, docker-registry, skopeo).
# BERTH_SKIP_BUILD=1 reuses the current production build.
set -u
cd "$(dirname "$0")/../.."
export BERTH_RELIABILITY=full
rm -rf test-results/reliability
mkdir -p test-results
rc=0
if [ "${BERTH_SKIP_BUILD:-}" != "1" ]; then
  npm run build > test-results/reliability-build.log 2>&1 || { tail -30 test-results/reliability-build.log; echo "build failed"; exit 1; }
fi
# The Vitest suites that record figures (the access matrix), found by what they call.
mapfile -t vfiles < <(grep -rl --include='*.test.ts' "recordFigures" lib app 2>/dev/null)
if [ ${#vfiles[@]} -gt 0 ]; then
  npx --no-install vitest run "${vfiles[@]}" || rc=1
fi
# The load suite first, on a quiet machine: after the crash and leak suites' heavy writes,
# PostgreSQL's background work (checkpoints, autovacuum) stretched its tail past the client's
# 10 s timeout (a run on 2 cores: 37 timeouts there, 0 as the first suite). Then the others.
npx --no-install playwright test --project=reliability e2e/reliability/load.spec.ts || rc=1
mapfile -t others < <(ls e2e/reliability/*.spec.ts | grep -v '/load\.spec\.ts$')
npx --no-install playwright test --project=reliability "${others[@]}" || rc=1
npx --no-install tsx e2e/reliability/report.ts --out docs/reliability.md || rc=1
exit $rc
