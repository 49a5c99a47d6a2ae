#!/usr/bin/env bash
# Second command of the README: install (idempotent) and run the whole test suite, slow tests
# (real model, real processes) included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The REPL is tested in a real terminal (tmux). Install it where we may; the test says so if not.
if ! command -v tmux >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing tmux (for the terminal test of searcher repl)" >&2
    (apt-get update -qq && apt-get install -y -qq tmux) >/dev/null 2>&1 \
      || echo "could not install tmux; the repl terminal test will fail" >&2
  else
    echo "tmux is missing: install it (e.g. apt-get install tmux) for the repl terminal test" >&2
  fi
fi
exec .venv/bin/python -m pytest -m "slow or not slow" "$@"
