# Sourced by demo.sh and test.sh: make .venv (Python 3.11+) and install Kiosk into it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Kiosk needs Python 3.11+"'
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  "$PYTHON" -m venv "$ROOT/.venv"
fi
VENV="$ROOT/.venv"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e "$ROOT${KIOSK_EXTRAS:-}"
# The pages' browser libraries (QR decoding in WebAssembly), pinned by kiosk_ui/package-lock.json
# and served by Kiosk itself. Without npm the kiosk still works with handheld scanners.
if command -v npm >/dev/null; then
  (cd "$ROOT/kiosk_ui" && npm ci --no-audit --no-fund --loglevel=error) \
    || echo "npm ci failed: the kiosk page will read QR codes from handheld scanners only" >&2
else
  echo "npm not found: the kiosk page will read QR codes from handheld scanners only" >&2
fi
