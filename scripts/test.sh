#!/usr/bin/env bash
# Quick start 2: install everything the tests need and run the whole suite.
# PostgreSQL tests run when KIOSK_TEST_DATABASE_URL is set (.ci/run sets it); else they skip.
set -euo pipefail
KIOSK_EXTRAS="[test]"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
"$VENV/bin/ruff" check .
"$VENV/bin/lint-imports"
"$VENV/bin/mypy"
exec "$VENV/bin/python" -m pytest "$@"
