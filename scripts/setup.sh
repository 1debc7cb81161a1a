#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install Onhand with the pinned dependency set.
# Usage: scripts/setup.sh [test]   -- "test" adds the test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

python=$(command -v python3.11 || command -v python3)
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Onhand needs Python 3.11 or newer; found $("$python" --version)" >&2; exit 1; }

[ -x .venv/bin/python ] || "$python" -m venv .venv
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
echo "Installing Onhand${extras} into .venv (pinned by constraints.txt) ..."
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".${extras}"
