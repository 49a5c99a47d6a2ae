#!/usr/bin/env bash
# Second command of the README: install (idempotent) and run the whole test suite, slow tests
# (real model, real processes) included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -m "slow or not slow" "$@"
