#!/usr/bin/env bash
# Quick start 1: install, create the demo seminar (500 invited guests), start the server.
# Options after the script name go to `kiosk serve` (e.g. --host 0.0.0.0 --port 8000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
"$VENV/bin/kiosk" demo
exec "$VENV/bin/kiosk" serve "$@"
