"""Where the development protocols are: ../shared/protocols-dev (every file) and the seeds."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CORPUS, SHARED

DEV = SHARED / "protocols-dev"


def dev_files() -> list[Path]:
    return sorted([*DEV.glob("alingsas/*.txt"), *DEV.glob("jonkoping/*.md"),
                   *CORPUS.glob("*.txt")])
