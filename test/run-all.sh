#!/usr/bin/env bash
# `npm test`: the vitest suites, then the Python tests (test/python/run.sh: the real
# kimina-client and our Python SDK against one real server). With arguments only vitest runs
# (`npm test -- test/http/check.test.ts`).
set -uo pipefail
cd "$(dirname "$0")/.."
npx vitest run "$@"
status=$?
if [ "$#" -eq 0 ]; then
  bash test/python/run.sh || status=1
fi
exit "$status"
