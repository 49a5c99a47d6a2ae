"""`python -m searcher` runs the CLI (with the same warm start as the `searcher` script)."""

from __future__ import annotations

from searcher.launch import main

main()
