#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install Onhand with the pinned dependency set.
# Usage: scripts/setup.sh [test]   -- "test" adds the test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

python=$(command -v python3.11 || command -v python3)
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Onhand needs Python 3.11 or newer; found $("$python" --version)" >&2; exit 1; }

# System tools: Graphviz draws the process maps (demo and tests); Chromium runs the
# browser tests. Installed with apt when missing and we may (root or sudo).
need=(); command -v dot >/dev/null || need+=(graphviz)
[ "${1:-}" = "test" ] && ! [ -x /usr/bin/chromium ] && need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing ${need[*]} with apt-get ..."
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "Could not install ${need[*]}; install them with your package manager." >&2; exit 1; }
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
echo "Installing Onhand${extras} into .venv (pinned by constraints.txt) ..."
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".${extras}"
