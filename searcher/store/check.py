"""`searcher index --check`: every file of the live generation against its manifest checksum.

Reading an index checks each part once, on first use (layout.Checksums); this checks all of
them now and says which files are damaged, one line each, changing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from searcher.store import layout


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The generation checked, how many files, and one line per damaged file."""

    generation: str
    files: int
    damaged: tuple[str, ...]
    checksummed: bool  # False for a manifest from before checksums (sizes only)


def check_index(root: Path) -> CheckReport:
    """Check the live generation's files (sizes and checksums); raises the index's one-line
    error when there is no live generation or its manifest is unreadable."""
    live = layout.current_generation(root)
    if live is None:
        layout.require_current(root)  # raises the precise reason
    manifest = layout.read_manifest(live)
    files = manifest.get("files") or {}
    damaged = tuple(f"{live.name}/{problem}"
                    for _rel, problem in layout.damaged_files(live, manifest))
    for part in ("sections.sqlite", "lexical"):
        if not (live / part).exists() and not any(layout.part_of(r) == part for r in files):
            damaged += (f"{live.name}/{part} is missing",)
    checksummed = all(isinstance(e, dict) and layout.CHECKSUM in e for e in files.values())
    return CheckReport(live.name, len(files), damaged, checksummed)
