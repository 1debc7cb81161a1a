#!/usr/bin/env bash
# Fresh machine -> running demo: install, generate the sample company, ingest it, run every stage.
# Extra arguments go to `onhand demo` (e.g. --no-serve).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/onhand demo "$@"
