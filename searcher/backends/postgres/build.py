"""Fill a PostgreSQL index: from files (`build_pg_index`) or from an embedded index (`migrate`).

Both reuse the embedded pipeline's stages rather than their own: searcher.ingest.discover finds,
names and fingerprints files, searcher.store.reading reads them into sections (the same
sections, ids and metadata as `searcher index`), searcher.store.build.unique_ids keeps section
ids unique, and searcher.store.embed's encoder step turns sections into passage vectors.
Documents go in batches of about `batch_sections` sections, one transaction each; vectors of
unchanged sections are kept."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from searcher.analysis import ANALYZER_VERSION
from searcher.backends.postgres.rows import DocumentRows
from searcher.backends.postgres.writer import PgWriter
from searcher.errors import SearcherError
from searcher.ingest.discover import SkipFile, assign_names, collect_files, fingerprint
from searcher.progress import NullProgress, Progress
from searcher.records import DocumentMeta
from searcher.store import layout
from searcher.store.build import DEFAULT_MODEL, BuildReport, unique_ids
from searcher.store.embed import semantic_status
from searcher.store.reading import read_source
from searcher.store.sections import SectionStore

BATCH_SECTIONS = 2000  # sections per write transaction
ENCODE_SECTIONS = 4000  # sections per encoder call (one model load each)
GENERATION = "postgresql"  # BuildReport.generation: a database has no generation directories


class _Taken:
    """unique_ids' view of the index: the database plus the batch not yet written."""

    def __init__(self, writer: PgWriter, pending: set[str]):
        self.writer, self.pending = writer, pending

    def ids_taken_by_others(self, doc: str, section_ids) -> set[str]:
        ids = list(section_ids)
        return self.writer.ids_taken_by_others(doc, ids) | (set(ids) & self.pending)


def build_pg_index(
    paths: Sequence[Path], dsn: str, *, semantic: bool = True, model: str = DEFAULT_MODEL,
    rebuild: bool = False, prune: bool = False, overrides: dict[str, str] | None = None,
    cache_dir: str | None = None, batch_size: int = 16, progress: Progress | None = None,
    batch_sections: int = BATCH_SECTIONS,
) -> BuildReport:
    """Index `paths` into the database at `dsn`: new and changed files only (like build_index)."""
    progress = progress or NullProgress()
    overrides = dict(overrides or {})
    t0 = time.perf_counter()
    notes: list[str] = []
    with PgWriter(dsn) as writer:
        if rebuild:
            writer.clear()
        old = writer.meta("manifest")
        if old and old.get("analyzer_version") != ANALYZER_VERSION:
            notes.append(f"index was analysed with {old.get('analyzer_version')}: analysing all "
                         f"sections again with {ANALYZER_VERSION}")
            _reanalyse(writer, progress, batch_sections)
        known = writer.known_documents()
        files, skipped = collect_files([Path(p) for p in paths])
        for s in skipped:
            progress.warn(f"{s.path}: {s.reason}")
        sources = assign_names(files, known)
        todo, unchanged = [], []
        for src in sources:
            try:
                sha, fp = fingerprint(src.path, overrides)
            except SkipFile as e:
                skipped.append(_skip(progress, src, str(e), src.doc in known))
                continue
            k = known.get(src.doc)
            if k is not None and k.source == src.source and (
                    k.fingerprint == fp or (not k.fingerprint and k.sha256 == sha
                                            and not overrides)):
                unchanged.append(src.doc)
            else:
                todo.append((src, fp))
        claimed = {s.doc for s in sources}
        gone = sorted(d for d, k in known.items() if d not in claimed
                      and not os.path.isfile(k.source or k.path)) if prune else []
        writer.delete_documents(gone)
        describe = writer.meta("semantic") or {}
        keep_vectors = bool(describe) and (describe.get("model") == model or not semantic)
        if semantic and describe and describe.get("model") != model:
            notes.append(f"embeddings were made with {describe.get('model')!r}: encoding every "
                         f"section again with {model!r}")
            writer.drop_vectors()
        writer.begin_bulk()
        indexed: list[str] = []
        batch: list[DocumentRows] = []
        pending: set[str] = set()
        progress.start("reading", len(todo))
        for src, fp in todo:
            try:
                loaded = read_source(src, overrides)
            except SkipFile as e:
                skipped.append(_skip(progress, src, str(e), src.doc in known))
                continue
            finally:
                progress.advance()
            sections = unique_ids(_Taken(writer, pending), src.doc, loaded.sections)
            doc = loaded.document
            vectors = (writer.reusable_vectors(src.doc, sections)
                       if keep_vectors and src.doc in known else {})
            batch.append(DocumentRows(src.doc, src.shown, doc.sha256, doc.meta, tuple(sections),
                                      loaded.toc, fp, src.source, vectors))
            pending.update(s.section_id for s in sections)
            indexed.append(src.doc)
            if sum(len(d.sections) for d in batch) >= batch_sections:
                writer.put_documents(batch)
                batch, pending = [], set()
        if batch:
            writer.put_documents(batch)
        progress.finish()
        encoded = encode_missing(writer, model=model, cache_dir=cache_dir,
                                 batch_size=batch_size, progress=progress) if semantic else 0
        manifest = writer.finish()
    return BuildReport(
        generation=GENERATION, indexed=tuple(indexed), unchanged=tuple(unchanged),
        removed=tuple(gone), skipped=tuple((s.path, s.reason) for s in skipped),
        sections=int(manifest.get("sections", 0)), passages_encoded=encoded,
        semantic=semantic_status(manifest), seconds=time.perf_counter() - t0, notes=tuple(notes),
    )


def encode_missing(writer: PgWriter, *, model: str, cache_dir: str | None, batch_size: int,
                   progress: Progress, chunk: int = ENCODE_SECTIONS) -> int:
    """Encode every section that has no vectors yet (new ones, or all after a model change)."""
    from searcher.store.embed import _encode  # the embedded pipeline's encoder step

    encoded, after = 0, 0
    while True:
        todo = writer.sections_without_vectors(after, chunk)
        if not todo:
            return encoded
        after = todo[-1][0]
        blocks, describe, n = _encode([s for _sid, s in todo], model, cache_dir, batch_size,
                                      progress, semantic=True)
        if describe:
            writer.set_semantic(describe)
            writer.put_vectors(blocks)
        encoded += n


def migrate(index_dir: Path, dsn: str, *, replace: bool = False,
            progress: Progress | None = None, batch_sections: int = BATCH_SECTIONS
            ) -> BuildReport:
    """Copy the published embedded index in `index_dir` into `dsn`: sections and vectors as
    they are (nothing is encoded again), lexemes analysed again by the same analyzers."""
    progress = progress or NullProgress()
    t0 = time.perf_counter()
    root = Path(index_dir)
    generation, manifest = layout.require_current(root)
    store = SectionStore(generation / "sections.sqlite", readonly=True)
    vectors = None
    if manifest.get("semantic"):
        from searcher.semantic.vectors import VectorIndex

        vectors = VectorIndex(generation / "semantic")
    try:
        with PgWriter(dsn) as writer:
            if not writer.is_empty():
                if not replace:
                    raise SearcherError(f"{writer.where} already holds an index; migrate into "
                                        "an empty database or replace it (--replace)")
                writer.clear()
            writer.begin_bulk()
            if vectors is not None:
                writer.set_semantic(manifest["semantic"])
            known = store.known_documents()
            docs = store.documents()
            progress.start("copying", len(docs))
            batch: list[DocumentRows] = []
            for d in docs:
                sections = store.sections_of(d["doc"])
                blocks = {}
                if vectors is not None:
                    blocks = {s.section_id: b for s in sections
                              if (b := vectors.rows_of(s.section_id)) is not None}
                meta = DocumentMeta(**{f: d.get(f) for f in DocumentMeta.__dataclass_fields__})
                k = known[d["doc"]]
                batch.append(DocumentRows(d["doc"], d["path"], d["sha256"], meta,
                                          tuple(sections), store.toc_of(d["doc"]),
                                          k.fingerprint, k.source, blocks))
                progress.advance()
                if sum(len(b.sections) for b in batch) >= batch_sections:
                    writer.put_documents(batch)
                    batch = []
            if batch:
                writer.put_documents(batch)
            progress.finish()
            result = writer.finish()
    finally:
        store.close()
    return BuildReport(generation=GENERATION, indexed=tuple(d["doc"] for d in docs),
                       sections=int(result.get("sections", 0)),
                       semantic=semantic_status(result), seconds=time.perf_counter() - t0)


def _reanalyse(writer: PgWriter, progress: Progress, batch_sections: int) -> None:
    """Write every stored document again (its sections and vectors unchanged): new lexemes."""
    docs = sorted(writer.known_documents().values(), key=lambda k: k.doc)
    progress.start("analysing", len(docs))
    for k in docs:
        sections, toc, meta = writer.stored_document(k.doc)
        writer.put_documents([DocumentRows(k.doc, k.path, k.sha256, meta, tuple(sections), toc,
                                           k.fingerprint, k.source,
                                           writer.reusable_vectors(k.doc, sections))])
        progress.advance()
    progress.finish()


def _skip(progress: Progress, src, reason: str, known: bool):
    from searcher.ingest.discover import Skip

    if known:
        reason += "; the version indexed before is kept"
    progress.warn(f"{src.shown}: {reason}")
    return Skip(src.shown, reason)
