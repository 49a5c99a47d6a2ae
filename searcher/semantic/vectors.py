"""The semantic arm's storage and search: a passage matrix scored back to sections.

Files (no pickles): vectors.npy (passages × dim, float32, L2-normalised), section_ids.npy (one
per section, in matrix order), starts.npy (first passage row of each section). A section's
score is its best passage's cosine (max-pooling over passages).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from searcher.records import Hit


def save(directory: Path, vectors: np.ndarray, passage_sections: list[str]) -> None:
    """Write the matrix; passages of one section must be contiguous, in section order."""
    directory.mkdir(parents=True, exist_ok=True)
    if len(passage_sections) != len(vectors):
        raise ValueError("one section id per passage row is required")
    section_ids: list[str] = []
    starts: list[int] = []
    for row, sid in enumerate(passage_sections):
        if not section_ids or section_ids[-1] != sid:
            section_ids.append(sid)
            starts.append(row)
    if len(set(section_ids)) != len(section_ids):
        raise ValueError("passages of one section must be contiguous")
    for name, arr in (
        ("vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32)),
        ("section_ids.npy", np.array(section_ids, dtype=str)),
        ("starts.npy", np.array(starts, dtype=np.int64)),
    ):
        with open(directory / name, "wb") as f:
            np.save(f, arr, allow_pickle=False)
            f.flush()


class VectorIndex:
    """Memory-mapped passage vectors with exact top-k over sections."""

    def __init__(self, directory: Path):
        self.vectors = np.load(directory / "vectors.npy", mmap_mode="r", allow_pickle=False)
        self.section_ids = np.load(directory / "section_ids.npy", allow_pickle=False)
        self.starts = np.load(directory / "starts.npy", allow_pickle=False)
        self._row_of = {str(s): i for i, s in enumerate(self.section_ids)}

    def __len__(self) -> int:
        return len(self.section_ids)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    def section_scores(self, query: np.ndarray) -> np.ndarray:
        """Best-passage cosine for every section, in section order."""
        if len(self.section_ids) == 0:
            return np.zeros(0, dtype=np.float32)
        passage_scores = self.vectors @ query.astype(np.float32)
        return np.maximum.reduceat(passage_scores, self.starts)

    def search(
        self, query: np.ndarray, *, limit: int, allowed: set[str] | None = None
    ) -> list[Hit]:
        """Top-`limit` sections by cosine; `allowed` restricts to filtered sections first."""
        scores = self.section_scores(query)
        if allowed is not None:
            mask = np.full(scores.shape, -np.inf, dtype=np.float32)
            rows = [self._row_of[s] for s in allowed if s in self._row_of]
            mask[rows] = scores[rows]
            scores = mask
        n_valid = int(np.isfinite(scores).sum())
        k = min(limit, n_valid)
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        hits = [Hit(str(self.section_ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]
        return sorted(hits, key=lambda h: (-h.score, h.section_id))[:limit]

    def rows_of(self, section_id: str) -> np.ndarray | None:
        """The passage vectors of one section (a copy), or None if it has none."""
        row = self._row_of.get(section_id)
        if row is None:
            return None
        end = self.starts[row + 1] if row + 1 < len(self.starts) else len(self.vectors)
        return np.array(self.vectors[self.starts[row] : end])

    def vector_of(self, section_id: str) -> np.ndarray | None:
        """Mean of a section's passage vectors, normalised (for `similar`)."""
        block = self.rows_of(section_id)
        if block is None:
            return None
        v = block.mean(axis=0)
        norm = float(np.linalg.norm(v))
        return v / norm if norm > 0 else v
