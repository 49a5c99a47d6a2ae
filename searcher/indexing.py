"""Build or update an index: files → documents → sections → lexical + semantic, one generation.

Only new or changed files (by content hash) are read and split again; only sections whose text
changed are encoded again. Everything lands in a new generation that is published atomically,
so a crash or Ctrl-C leaves the previous index usable.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from searcher import layout, lexical
from searcher.analysis import ANALYZER_VERSION
from searcher.chunking import split_document, table_of_contents
from searcher.chunking.passages import split_passages
from searcher.documents import is_supported, load_document
from searcher.errors import BadInputError, SearcherError
from searcher.progress import NullProgress, Progress
from searcher.records import Section
from searcher.semantic import vectors as vector_store
from searcher.store import SectionStore

DEFAULT_MODEL = "multilingual-e5-small-rebuilt"


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What one `searcher index` run did."""

    generation: str
    indexed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (path, reason)
    sections: int = 0
    passages_encoded: int = 0
    semantic: str = "none"  # "complete", "partial", "none"
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())


def collect_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Supported files under the given paths (sorted), and the paths that cannot be used."""
    files: list[Path] = []
    bad: list[tuple[str, str]] = []
    for p in paths:
        if p.is_dir():
            for dirpath, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    f = Path(dirpath) / name
                    if name.startswith(".") or name.endswith(".meta.json"):
                        continue
                    if is_supported(f):
                        files.append(f)
        elif p.is_file():
            files.append(p)
        elif p.is_symlink():
            bad.append((str(p), "broken symbolic link"))
        else:
            bad.append((str(p), "no such file or directory"))
    return files, bad


def _doc_names(files: list[Path]) -> list[tuple[Path, str]]:
    """A document is known by its file name; a clashing name keeps its parent folder too."""
    seen: set[str] = set()
    out = []
    for f in files:
        name = f.name
        if name in seen:
            name = f"{f.parent.name}/{f.name}"
        seen.add(name)
        out.append((f, name))
    return out


def _compatible(manifest: dict | None) -> bool:
    return bool(
        manifest
        and manifest.get("format") == layout.FORMAT_VERSION
        and manifest.get("analyzer_version") == ANALYZER_VERSION
    )


def build_index(
    paths: Sequence[Path],
    index_dir: Path,
    *,
    semantic: bool = True,
    model: str = DEFAULT_MODEL,
    rebuild: bool = False,
    prune: bool = False,
    overrides: dict[str, str] | None = None,
    cache_dir: str | None = None,
    batch_size: int = 16,
    progress: Progress | None = None,
) -> BuildReport:
    """Index `paths` into `index_dir` (adding, updating and optionally pruning documents)."""
    progress = progress or NullProgress()
    t0 = time.perf_counter()
    with layout.writer_lock(index_dir):
        base = None if rebuild else layout.current_generation(index_dir)
        old_manifest = layout.read_manifest(base) if base else None
        if base is not None and not _compatible(old_manifest):
            progress.message("index was built by another analyzer/format version: rebuilding")
            base, old_manifest = None, None
        gen = layout.new_generation(index_dir, base)
        try:
            report = _build_into(
                gen, base, old_manifest, paths, semantic=semantic, model=model, prune=prune,
                overrides=overrides or {}, cache_dir=cache_dir, batch_size=batch_size,
                progress=progress,
            )
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        layout.publish(index_dir, gen, report.pop("manifest"))
        layout.collect_garbage(index_dir)
    return BuildReport(generation=gen.name, seconds=time.perf_counter() - t0, **report)


def _build_into(
    gen: Path,
    base: Path | None,
    old_manifest: dict | None,
    paths: Sequence[Path],
    *,
    semantic: bool,
    model: str,
    prune: bool,
    overrides: dict[str, str],
    cache_dir: str | None,
    batch_size: int,
    progress: Progress,
) -> dict:
    files, skipped = collect_files(paths)
    for path, reason in skipped:
        progress.warn(f"{path}: {reason}")
    store = SectionStore(gen / "sections.sqlite")
    if base is None:
        lexical.create(gen / "lexical")
    known = {d["doc"]: d for d in store.documents()}
    indexed: list[str] = []
    unchanged: list[str] = []
    changed_sections: list[Section] = []
    seen_docs: set[str] = set()

    progress.start("reading", len(files))
    for path, name in _doc_names(files):
        seen_docs.add(name)
        try:
            document = load_document(path, doc=name, overrides=overrides)
            old = known.get(name)
            if old and old["sha256"] == document.sha256 and not overrides:
                unchanged.append(name)
                continue
            sections = split_document(document)
            if not sections:
                raise BadInputError(f"{path}: no text to index")
        except SearcherError as e:
            skipped.append((str(path), _reason(e, path)))
            progress.warn(f"{path}: {_reason(e, path)}")
            continue
        except (OSError, UnicodeError, ValueError) as e:
            skipped.append((str(path), f"{type(e).__name__}: {e}"))
            progress.warn(f"{path}: {type(e).__name__}: {e}")
            continue
        finally:
            progress.advance()
        store.put_document(name, str(path), document.sha256, document.meta, sections,
                           toc=table_of_contents(document))
        changed_sections.extend(sections)
        indexed.append(name)
    progress.finish()

    removed = sorted(set(known) - seen_docs) if prune else []
    store.delete_documents(removed)
    stale = [d for d in indexed if d in known] + removed
    if stale:
        lexical.delete_docs(gen / "lexical", stale)
    if changed_sections:
        progress.message(f"lexical index: {len(changed_sections)} sections")
        lexical.add_sections(gen / "lexical", changed_sections)

    sem_manifest, encoded = _semantic_step(
        gen, base, old_manifest, store, semantic=semantic, model=model, cache_dir=cache_dir,
        batch_size=batch_size, progress=progress,
    )
    n_sections = store.section_count()
    manifest = {
        "format": layout.FORMAT_VERSION,
        "analyzer_version": ANALYZER_VERSION,
        "generation": int(gen.name[4:]),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "documents": len(store.documents()),
        "sections": n_sections,
        "semantic": sem_manifest,
    }
    store.close()
    status = "none"
    if sem_manifest:
        status = "complete" if sem_manifest["sections"] == n_sections else "partial"
    return {
        "manifest": manifest,
        "indexed": tuple(indexed),
        "unchanged": tuple(unchanged),
        "removed": tuple(removed),
        "skipped": tuple(skipped),
        "sections": n_sections,
        "passages_encoded": encoded,
        "semantic": status,
    }


def _reason(e: Exception, path: Path) -> str:
    msg = str(e)
    prefix = f"{path}: "
    return msg[len(prefix) :] if msg.startswith(prefix) else msg


def _old_vectors(base: Path | None, old_manifest: dict | None, model: str):
    """Previous generation's vectors and section texts, when made by the same model."""
    if base is None or not old_manifest or not old_manifest.get("semantic"):
        return None
    if old_manifest["semantic"].get("model") != model:
        return None
    try:
        return vector_store.VectorIndex(base / "semantic")
    except OSError:
        return None


def _semantic_step(
    gen: Path,
    base: Path | None,
    old_manifest: dict | None,
    store: SectionStore,
    *,
    semantic: bool,
    model: str,
    cache_dir: str | None,
    batch_size: int,
    progress: Progress,
) -> tuple[dict | None, int]:
    """Carry over vectors of unchanged sections; encode the rest unless semantic=False."""
    # Without encoding (--no-semantic), vectors of unchanged sections are still carried over.
    carry_model = model if semantic else ((old_manifest or {}).get("semantic") or {}).get("model")
    old = _old_vectors(base, old_manifest, carry_model)
    old_texts: dict[str, str] = {}
    if old is not None and base is not None:
        old_store = SectionStore(base / "sections.sqlite", readonly=True)
        old_texts = {s.section_id: s.text for s in old_store.iter_sections()}
        old_store.close()
    if not semantic and old is None:
        return None, 0

    sections = list(store.iter_sections())
    reuse: dict[str, np.ndarray] = {}
    todo: list[Section] = []
    for s in sections:
        if old is not None and old_texts.get(s.section_id) == s.text:
            rows = old.rows_of(s.section_id)
            if rows is not None:
                reuse[s.section_id] = rows
                continue
        todo.append(s)

    encoded = 0
    new_vectors: dict[str, np.ndarray] = {}
    describe = (old_manifest or {}).get("semantic") or {}
    if semantic and todo:
        from searcher.semantic.encoder import Encoder

        progress.message(f"loading embedding model {model}")
        encoder = Encoder(model, cache_dir=cache_dir, progress=progress.message)
        describe = encoder.describe()
        budget = encoder.passage_token_budget()
        passages = [p for s in todo for p in split_passages(s, max_tokens=budget,
                                                            count_tokens=encoder.count_tokens)]
        progress.message(f"encoding {len(passages)} passages of {len(todo)} sections")
        progress.start("encoding", len(passages))
        last = [0]

        def tick(done: int, total: int) -> None:
            progress.advance(done - last[0])
            last[0] = done

        matrix = encoder.encode_passages(
            [p.text for p in passages], batch_size=batch_size, progress=tick
        )
        progress.finish()
        encoded = len(passages)
        by_section: dict[str, list[int]] = {}
        for i, p in enumerate(passages):
            by_section.setdefault(p.section_id, []).append(i)
        new_vectors = {sid: matrix[rows] for sid, rows in by_section.items()}

    rows: list[np.ndarray] = []
    ids: list[str] = []
    for s in sections:
        block = new_vectors.get(s.section_id)
        if block is None:
            block = reuse.get(s.section_id)
        if block is None:
            continue
        rows.append(block)
        ids.extend([s.section_id] * len(block))
    if not rows:
        return None, encoded
    matrix = np.concatenate(rows).astype(np.float32)
    shutil.rmtree(gen / "semantic", ignore_errors=True)
    vector_store.save(gen / "semantic", matrix, ids)
    sem = dict(describe)
    sem.update({"sections": len(set(ids)), "passages": len(ids), "dtype": "float32"})
    return sem, encoded
