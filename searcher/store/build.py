"""Build or update an index: files → documents → sections → lexical + semantic, one generation.

    plan   which files are new or changed (fingerprint), which documents are gone (--prune)
    read   changed files → sections → the new generation's section store (bad files skipped)
    index  the lexical index drops stale documents and adds the new sections; the semantic
           index carries over the vectors of unchanged sections and encodes only the rest
    publish  manifest last, then CURRENT (searcher.store.layout)

Nothing is published when nothing changed. The new generation shares the previous one's
whoosh segment files (hard links) and copies its section store, so a small update costs
seconds whatever the index size, and a crash or Ctrl-C leaves the previous index live.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from searcher.analysis import ANALYZER_VERSION
from searcher.chunking import CHUNKER_VERSION
from searcher.errors import IndexNotBuiltError, SearcherError
from searcher.ingest.discover import (
    Skip,
    SkipFile,
    SourceFile,
    assign_names,
    collect_files,
    fingerprint,
    shown,
)
from searcher.lexical import writer as lexical
from searcher.progress import NullProgress, Progress
from searcher.records import KnownDocument, Section
from searcher.store import layout
from searcher.store.embed import other_runtime_family, semantic_status, update_vectors
from searcher.store.reading import Loaded, read_source
from searcher.store.sections import SectionStore

DEFAULT_MODEL = "multilingual-e5-small-rebuilt"
#: Deleted sections still counted in whoosh's statistics above this share of the lexical index
#: make an update write it afresh from the section store, so its scores equal a clean build's
#: (whoosh's own merge sums its lossy one-byte field lengths, which a clean build does not).
MERGE_DELETED_SHARE = 0.10
#: From this many bytes of input files on, reading and splitting run in worker processes:
#: starting one (an interpreter and the chunkers' imports, 1–2 s) costs more than reading a
#: few MB of text (60 small corpus-sv files: 0.3–0.7 s alone, 1.3–2.7 s with two workers).
PARALLEL_MIN_BYTES = 8_000_000
MAX_READERS = 8
#: From this many sections on, their postings are computed in worker processes (one per core)
#: while this process writes: 3,000 sections take ~15 CPU-s to analyse, starting a worker 1–2 s.
PARALLEL_MIN_SECTIONS = 3_000
NOTHING_CHANGED = "nothing changed: no encoding work done"


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What one `searcher index` run did; `notes` are one-line messages for the user."""

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


@dataclass
class _Plan:
    """What an update has to do, decided before anything is written."""

    base: Path | None
    manifest: dict | None
    relex: bool  # the analyzer changed, or the lexical index is damaged: write it afresh
    repair: bool  # the live generation is damaged: publish even if no document changed
    known: dict[str, KnownDocument]
    todo: list[SourceFile]
    unchanged: list[str]
    gone: list[str]
    skipped: list[Skip]
    notes: list[str]
    vectors_from: Path | None = None  # the generation whose vectors can be carried over
    vectors_manifest: dict | None = None


def build_index(
    paths: Sequence[Path],
    index_dir: Path,
    *,
    semantic: bool = True,
    model: str = DEFAULT_MODEL,
    rebuild: bool = False,
    prune: bool = False,
    optimize: bool = False,
    follow_symlinks: bool = False,
    overrides: dict[str, str] | None = None,
    cache_dir: str | None = None,
    batch_size: int = 16,
    progress: Progress | None = None,
) -> BuildReport:
    """Index `paths` into `index_dir`: add new files, redo changed ones, optionally prune;
    `optimize` writes the lexical index afresh (scores then equal a clean build's);
    `follow_symlinks` reads files and sidecars through links leading out of their folder."""
    progress = progress or NullProgress()
    overrides = dict(overrides or {})
    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    try:
        return _build(paths, index_dir, semantic=semantic, model=model, rebuild=rebuild,
                      prune=prune, optimize=optimize, follow_symlinks=follow_symlinks,
                      overrides=overrides, cache_dir=cache_dir,
                      batch_size=batch_size, progress=progress, t0=t0)
    except OSError as e:  # disk full, read-only folder, …: one line, the index is unharmed
        where = f" ({shown(e.filename)})" if e.filename else ""
        raise SearcherError(
            f"cannot write the index in {index_dir}/: {e.strerror or e}{where}"
        ) from None


def _build(paths: Sequence[Path], index_dir: Path, *, semantic: bool, model: str, rebuild: bool,
           prune: bool, optimize: bool, follow_symlinks: bool, overrides: dict[str, str],
           cache_dir: str | None, batch_size: int,
           progress: Progress, t0: float) -> BuildReport:
    with layout.writer_lock(index_dir):
        layout.collect_garbage(index_dir)  # leftovers of an interrupted run
        plan = _plan([Path(p) for p in paths], index_dir, rebuild=rebuild, prune=prune,
                     overrides=overrides, progress=progress, follow_symlinks=follow_symlinks)
        if optimize and plan.base is not None and not plan.relex:
            plan.relex = plan.repair = True
            plan.notes.append("optimizing: writing the lexical index afresh from the section store")
        if plan.base is not None and not _has_work(plan, semantic, model):
            return _report(plan, plan.base, plan.manifest or {}, t0, notes=[NOTHING_CHANGED])
        gen = layout.new_generation(
            index_dir, plan.base, link=("lexical",),
            skip=("semantic", "lexical") if plan.relex else ("semantic",),
        )
        layout.failpoint("after-new-generation")
        try:
            outcome = _build_into(gen, plan, semantic=semantic, model=model, overrides=overrides,
                                  cache_dir=cache_dir, batch_size=batch_size, progress=progress)
            if outcome is None:  # every changed file was skipped: keep the live generation
                shutil.rmtree(gen, ignore_errors=True)
                return _report(plan, plan.base, plan.manifest or {}, t0, notes=[NOTHING_CHANGED])
            with _no_ctrl_c():
                layout.publish(index_dir, gen, outcome["manifest"], base=plan.base,
                               base_manifest=plan.manifest)
                layout.collect_garbage(index_dir)
        except BaseException:
            if layout.current_generation(index_dir) != gen:
                shutil.rmtree(gen, ignore_errors=True)
            raise
    return _report(plan, gen, outcome["manifest"], t0, indexed=outcome["indexed"],
                   passages=outcome["encoded"], notes=outcome["notes"])


@contextlib.contextmanager
def _no_ctrl_c() -> Iterator[None]:
    """Ignore Ctrl-C while publishing (a second or less): the run then ends as the success it
    is, instead of saying "interrupted" about an index that was in fact updated."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _report(plan: _Plan, gen: Path, manifest: dict, t0: float, *, indexed: Sequence[str] = (),
            passages: int = 0, notes: Sequence[str] = ()) -> BuildReport:
    return BuildReport(
        generation=gen.name, indexed=tuple(indexed), unchanged=tuple(plan.unchanged),
        removed=tuple(plan.gone), skipped=tuple((s.path, s.reason) for s in plan.skipped),
        sections=int(manifest.get("sections", 0)), passages_encoded=passages,
        semantic=semantic_status(manifest), seconds=time.perf_counter() - t0,
        notes=tuple(plan.notes) + tuple(notes),
    )


def _has_work(plan: _Plan, semantic: bool, model: str) -> bool:
    return (bool(plan.todo or plan.gone or plan.relex or plan.repair)
            or _vectors_wanted(plan, semantic, model))


def _vectors_wanted(plan: _Plan, semantic: bool, model: str) -> bool:
    """Embeddings are asked for and the index lacks some (none, partial, another model's, or
    another runtime family's)."""
    manifest = plan.manifest or {}
    if not semantic or not manifest.get("sections"):
        return False
    sem = manifest.get("semantic") or {}
    return (sem.get("model") != model or semantic_status(manifest) != "complete"
            or other_runtime_family(sem, model))


def _plan(paths: list[Path], root: Path, *, rebuild: bool, prune: bool,
          overrides: dict[str, str], progress: Progress, follow_symlinks: bool = False) -> _Plan:
    """Pick the generation to start from and the files to read; warn about unusable ones."""
    notes: list[str] = []
    base, known, damage = (None, {}, []) if rebuild else _usable_base(root)
    live = layout.current_generation(root)
    notes += [f"damaged: {g}/{problem}" for g, _rel, problem in damage]
    if base is not None and base != live:
        notes.append(f"the live index was damaged; continuing from {base.name}")
    elif base is None and not rebuild and layout.generation_numbers(root):
        notes.append("no usable index generation found; building a new one")
    manifest = layout.read_manifest(base) if base is not None else None
    damaged_parts = {layout.part_of(rel) for g, rel, _ in damage if base and g == base.name}
    if base is not None and not (base / "lexical").is_dir():
        damaged_parts.add("lexical")
    if manifest is not None and manifest.get("format") != layout.FORMAT_VERSION:
        notes.append(f"index format {manifest.get('format')} is not {layout.FORMAT_VERSION}: "
                     f"rebuilding from the files given")
        base, manifest, known = None, None, {}
    relex = manifest is not None and manifest.get("analyzer_version") != ANALYZER_VERSION
    if relex:
        notes.append(f"index was analysed with {manifest.get('analyzer_version')}: analysing all "
                     f"sections again with {ANALYZER_VERSION}")
    elif "lexical" in damaged_parts:
        relex = True
        notes.append("repairing the lexical index: writing it afresh from the section store")
    vectors_from, vectors_manifest = (None, None) if rebuild else _vector_source(
        root, base, manifest, damaged_parts)
    if "semantic" in damaged_parts:
        notes.append("repairing the embeddings: " + (
            f"carrying over {vectors_from.name}'s intact vectors, encoding the rest"
            if vectors_from is not None else "encoding every section again"))

    rechunk = manifest is not None and manifest.get("chunker_version") != CHUNKER_VERSION
    if rechunk:
        notes.append(f"index was split by chunker {manifest.get('chunker_version')}: reading all "
                     f"files again with {CHUNKER_VERSION} (unchanged texts keep their vectors)")

    files, skipped = collect_files(paths, follow_symlinks=follow_symlinks)
    for s in skipped:
        progress.warn(f"{s.path}: {s.reason}")
    sources = assign_names(files, known)
    todo: list[SourceFile] = []
    unchanged: list[str] = []
    progress.start("checking", len(sources))
    for src in sources:
        try:
            sha, fp = fingerprint(src.path, overrides, follow_symlinks=follow_symlinks)
        except SkipFile as e:
            _skip(skipped, progress, src, str(e), src.doc in known)
            continue
        finally:
            progress.advance()
        k = known.get(src.doc)
        same = not rechunk and k is not None and k.source == src.source and (
            k.fingerprint == fp or (not k.fingerprint and k.sha256 == sha and not overrides)
        )
        if same:
            unchanged.append(src.doc)
        else:
            todo.append(dataclasses.replace(src, fingerprint=fp, follow_symlinks=follow_symlinks))
    progress.finish()
    claimed = {s.doc for s in sources}
    gone = sorted(d for d, k in known.items() if d not in claimed and not _exists(k)) \
        if prune else []
    repair = base is not None and (base != live or bool(damaged_parts))
    return _Plan(base, manifest, relex, repair, known, todo, unchanged, gone, skipped, notes,
                 vectors_from, vectors_manifest)


def _generations(root: Path) -> Iterator[tuple[Path, dict]]:
    """Published generations with a readable manifest of this format: the live one first,
    then the newest."""
    live = layout.current_generation(root)
    numbers = reversed(layout.generation_numbers(root))
    for gen in dict.fromkeys(([live] if live else []) + [root / f"gen-{n:06d}" for n in numbers]):
        if not (gen / layout.MANIFEST).is_file():
            continue
        try:
            yield gen, layout.read_manifest(gen)
        except IndexNotBuiltError:
            continue


def _usable_base(root: Path) -> tuple[Path | None, dict[str, KnownDocument],
                                       list[tuple[str, str, str]]]:
    """The newest generation whose section store is intact and opens, its documents, and the
    damage found on the way as (generation, file, problem). Files are checked one by one
    (sizes and checksums), so a damaged lexical index or vectors file costs that part only,
    never the newer documents of the live generation."""
    damage: list[tuple[str, str, str]] = []
    for gen, manifest in _generations(root):
        found = layout.damaged_files(gen, manifest)
        damage += [(gen.name, rel, problem) for rel, problem in found]
        if any(layout.part_of(rel) == "sections.sqlite" for rel, _ in found):
            continue
        try:
            store = SectionStore(gen / "sections.sqlite", readonly=True)
        except (IndexNotBuiltError, OSError):
            continue
        try:
            return gen, store.known_documents(), damage
        except IndexNotBuiltError:
            continue
        finally:
            store.close()
    return None, {}, damage


def _vector_source(root: Path, base: Path | None, manifest: dict | None,
                   damaged: set[str]) -> tuple[Path | None, dict | None]:
    """The newest generation (the base first) whose embeddings and section store are both
    intact: its vectors are carried over to sections whose text is unchanged."""
    if base is not None and manifest is not None:
        if not manifest.get("semantic"):
            return None, None  # the base has none: nothing newer to carry over
        if "semantic" not in damaged and (base / "semantic").is_dir():
            return base, manifest  # checked in full by _usable_base
    for gen, manifest in _generations(root):
        if gen == base or not manifest.get("semantic"):
            continue
        if (gen / "semantic").is_dir() and not layout.damaged_files(
                gen, manifest, parts=("semantic", "sections.sqlite")):
            return gen, manifest
    return None, None


def _exists(k: KnownDocument) -> bool:
    return os.path.isfile(k.source) if k.source else os.path.isfile(k.path)


def _skip(skipped: list[Skip], progress: Progress, src: SourceFile, reason: str,
          known: bool) -> None:
    if known:
        reason += "; the version indexed before is kept"
    skipped.append(Skip(src.shown, reason))
    progress.warn(f"{src.shown}: {reason}")


def _build_into(gen: Path, plan: _Plan, *, semantic: bool, model: str,
                overrides: dict[str, str], cache_dir: str | None, batch_size: int,
                progress: Progress) -> dict | None:
    """Fill the new generation; None when it would equal the live one."""
    store = SectionStore(gen / "sections.sqlite")
    try:
        indexed = _read_files(store, plan, overrides, progress)
        store.delete_documents(plan.gone)
        if plan.base is not None and not (indexed or plan.gone or plan.relex or plan.repair
                                           or _vectors_wanted(plan, semantic, model)):
            return None
        _update_lexical(gen / "lexical", store, plan, indexed, progress)
        layout.failpoint("after-lexical")
        changed = set(indexed)
        if plan.vectors_from != plan.base:  # vectors of another generation: compare every text
            changed = {d for d, _ in _all_docs(store)}
        sem, encoded, notes = update_vectors(
            gen, plan.vectors_from, plan.vectors_manifest, store, changed,
            semantic=semantic, model=model, cache_dir=cache_dir, batch_size=batch_size,
            progress=progress, previous=plan.manifest,
        )
        manifest = {
            "format": layout.FORMAT_VERSION,
            "analyzer_version": ANALYZER_VERSION,
            "chunker_version": CHUNKER_VERSION,
            "generation": int(gen.name[4:]),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "documents": store.document_count(),
            "sections": store.section_count(),
            "semantic": sem,
        }
    finally:
        store.close()
    return {"manifest": manifest, "indexed": indexed, "encoded": encoded, "notes": notes}


def _all_docs(store: SectionStore) -> list[tuple[str, str]]:
    return [(d["doc"], d["path"]) for d in store.documents()]


def _read_files(store: SectionStore, plan: _Plan, overrides: dict[str, str],
                progress: Progress) -> list[str]:
    """Read every new or changed file into the store, one transaction each; skip bad ones."""
    indexed: list[str] = []
    progress.start("reading", len(plan.todo))
    for src, loaded in _read_all(plan.todo, overrides):
        progress.advance()
        if not isinstance(loaded, Loaded):
            _skip(plan.skipped, progress, src, loaded, src.doc in plan.known)
            continue
        sections = unique_ids(store, src.doc, loaded.sections)
        doc = loaded.document
        store.put_document(src.doc, src.shown, doc.sha256, doc.meta, sections, toc=loaded.toc,
                           fingerprint=src.fingerprint, source=src.source)
        indexed.append(src.doc)
    progress.finish()
    return indexed


def reader_processes(files: int, nbytes: int, cores: int | None = None) -> int:
    """Worker processes for reading `files` files of `nbytes` bytes: one per core (at most
    MAX_READERS, at most one per file) from PARALLEL_MIN_BYTES on, else none (1: this one)."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    if nbytes < PARALLEL_MIN_BYTES or cores < 2 or files < 2:
        return 1
    return min(cores, MAX_READERS, files)


def lexical_processes(sections: int, cores: int | None = None) -> int:
    """Worker processes analysing `sections` sections for the lexical index: one per core (at
    most MAX_READERS) from PARALLEL_MIN_SECTIONS on, else none (0: this process analyses)."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    if sections < PARALLEL_MIN_SECTIONS or cores < 2:
        return 0
    return min(cores, MAX_READERS)


def _size(src: SourceFile) -> int:
    try:
        return src.path.stat().st_size
    except OSError:
        return 0  # reading it will say what is wrong


def _read_one(src: SourceFile, overrides: Mapping[str, str]) -> Loaded | str:
    """read_source, with a skip turned into its reason (crosses a process border as a str)."""
    try:
        return read_source(src, overrides)
    except SkipFile as e:
        return str(e)


def _read_all(todo: list[SourceFile], overrides: Mapping[str, str]
              ) -> Iterator[tuple[SourceFile, Loaded | str]]:
    """Each file read and split, in order; in worker processes when there are many files.

    Workers are spawned, not forked: the parent may hold threads (a progress bar) whose locks
    a fork would copy mid-use. The store is written by this process alone, in file order.
    """
    workers = reader_processes(len(todo), sum(_size(src) for src in todo))
    if workers == 1:
        for src in todo:
            yield src, _read_one(src, overrides)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        chunk = max(1, min(16, len(todo) // (workers * 8)))
        yield from zip(todo, pool.map(_read_one, todo, repeat(dict(overrides)), chunksize=chunk),
                       strict=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def unique_ids(store: SectionStore, doc: str, sections: list[Section]) -> list[Section]:
    """Section ids unique in the whole index: `x.txt` and `x.md`, or two `a/x.txt` and
    `b/x.txt`, would both give `x/p12`; the later document gets `x~2/p12`."""
    ids = [s.section_id for s in sections]
    if len(set(ids)) == len(ids) and not store.ids_taken_by_others(doc, ids):
        return sections
    seen: dict[str, int] = {}
    ids = []
    for s in sections:  # duplicates inside the document first
        n = seen.get(s.section_id, 0) + 1
        seen[s.section_id] = n
        ids.append(s.section_id if n == 1 else f"{s.section_id}-{n}")
    n = 1
    candidate = ids
    while store.ids_taken_by_others(doc, candidate):
        n += 1
        candidate = [_restem(sid, n) for sid in ids]
    return [dataclasses.replace(s, section_id=sid)
            for s, sid in zip(sections, candidate, strict=True)]


def _restem(section_id: str, n: int) -> str:
    stem, sep, key = section_id.partition("/")
    return f"{stem}~{n}{sep}{key}"


def _update_lexical(path: Path, store: SectionStore, plan: _Plan, indexed: list[str],
                    progress: Progress) -> None:
    """Drop stale documents and add the new sections (or everything, for a fresh index)."""
    if plan.base is None or plan.relex:
        lexical.create(path)
        total = store.section_count()
        sections: Iterator[Section] = store.iter_sections()
    else:
        stale = [d for d in indexed if d in plan.known] + plan.gone
        if stale:
            lexical.delete_docs(path, stale)
            share = lexical.deleted_share(path)
            if share > MERGE_DELETED_SHARE:
                progress.message(f"{share:.0%} of the lexical index is deleted sections: "
                                 f"writing it afresh")
                shutil.rmtree(path)  # this generation's hard links only
                return _update_lexical(path, store, dataclasses.replace(plan, relex=True),
                                       indexed, progress)
        if not indexed:
            return
        total = store.section_count(indexed)
        sections = (s for d in indexed for s in store.sections_of(d))
    if total:
        progress.message(f"lexical index: {total} sections")
    progress.start("lexical", total)
    lexical.add_sections(path, _counted(sections, progress), workers=lexical_processes(total))
    progress.finish()


def _counted(items: Iterator[Section], progress: Progress) -> Iterator[Section]:
    for item in items:
        yield item
        progress.advance()
