#!/usr/bin/env bash
# First command of the README: install everything, index the bundled corpus, answer a query.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/searcher index corpus/
.venv/bin/searcher search "${1:-Balans-22}" --limit 5
