"""`python -m searcher` runs the CLI."""

from __future__ import annotations

from searcher.cli import main

main()
