#!/usr/bin/env bash
# Run the Python tests (pytest) against one real server with real Lean workers, started by
# conftest.py for the whole session. Writes .pytest-results.xml (JUnit) for .ci/run's count.
# "No tests collected" (pytest exit 5) counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash test/python/setup-venv.sh || { echo "python tests: could not set up .venv" >&2; exit 1; }
rm -f .pytest-results.xml
.venv/bin/python -m pytest test/python -q --junitxml=.pytest-results.xml "$@"
status=$?
if [ "$status" -eq 5 ]; then echo "python tests: no tests were collected" >&2; exit 1; fi
exit "$status"
