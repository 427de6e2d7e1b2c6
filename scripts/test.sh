#!/usr/bin/env bash
# Quick start 2: install everything the tests need and run the whole suite.
# PostgreSQL and Redis tests run on KIOSK_TEST_DATABASE_URL / KIOSK_TEST_REDIS_URL; unset,
# the machine's own servers are used when they answer on their default local ports
# (database `test`, user postgres; Redis database 0), as .ci/run does. The end of the run
# says which groups of tests were skipped and why.
set -euo pipefail
KIOSK_EXTRAS="[test]"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
while IFS= read -r found; do
  export "${found?}"
done < <("$VENV/bin/python" scripts/local_services.py)
"$VENV/bin/ruff" check .
"$VENV/bin/lint-imports"
"$VENV/bin/mypy"
# Two test processes (pytest-xdist), each with its own PostgreSQL and Redis database
# (tests/conftest.py): the suite waits on servers, browsers and sockets as much as on the CPU.
# KIOSK_TEST_PROCESSES=1 runs it in one.
exec "$VENV/bin/python" -m pytest -n "${KIOSK_TEST_PROCESSES:-2}" "$@"
