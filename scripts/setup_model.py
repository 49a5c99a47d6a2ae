"""Build the default embedding model into the cache (once) and print its folder; run by setup.sh."""

from __future__ import annotations

import sys

from searcher.errors import ModelSetupError
from searcher.semantic.model_rebuild import ensure_default_model


def main() -> int:
    """Print the model folder on stdout; progress and errors go to stderr."""
    try:
        path = ensure_default_model(progress=lambda line: print(line, file=sys.stderr))
    except ModelSetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
