#!/usr/bin/env bash
# Fresh machine -> whole test suite: install Onhand and the test tools, then run pytest.
# Extra arguments go to pytest (e.g. -k ingest, -m "not slow").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
