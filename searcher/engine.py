"""The engine: one opened index (manifest + section store + lexical + semantic) that searches.

    open_index("index/").search("Balans-22", mode="hybrid", limit=10) -> [Result, …]

Each arm over-fetches candidates, both arms apply the same filters before top-k, and the
fusion functions in searcher.ranking.fusion combine them with per-query arm weights.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from searcher.analysis import ANALYZER_VERSION
from searcher.errors import BadQueryError, IndexMismatchError, IndexNotBuiltError
from searcher.lexical.index import LexicalIndex
from searcher.query.filters import Filters, parse_filters
from searcher.query.parse import parse_query
from searcher.query.typo import correct
from searcher.ranking.fusion import (
    RRF_K,
    FusionMethod,
    convex_combination,
    reciprocal_rank_fusion,
)
from searcher.ranking.signals import arm_weights
from searcher.records import FusedHit, Hit, Result, Section
from searcher.settings import SearchMode, Settings, choices
from searcher.store import layout
from searcher.store.sections import SectionStore

MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Response:
    """Results plus one-line notes for the user (fallbacks, expansions)."""

    results: tuple[Result, ...]
    mode: str
    notes: tuple[str, ...] = ()
    weights: tuple[float, float] | None = None
    corrected_query: str = ""  # the query as really searched (typos corrected), for highlighting


@dataclass(frozen=True, slots=True)
class Candidates:
    """Both arms' over-fetched hits for one query, before fusion."""

    mode: SearchMode  # the mode really used (hybrid falls back to lexical without vectors)
    lexical: list[Hit]
    semantic: list[Hit]
    notes: tuple[str, ...]
    signal_query: str  # the query text the fusion signals are computed on


@dataclass
class _Lazy:
    vectors: object | None = None
    encoder: object | None = None
    extra: dict = field(default_factory=dict)
    # The CLI loads the model in a background thread beside the lexical arm; a second caller
    # waits for that load instead of starting its own.
    encoder_lock: threading.Lock = field(default_factory=threading.Lock)


def check_manifest(manifest: dict, where: str, model: str | None) -> None:
    """Refuse an index of another format, analyzer or embedding model, with what to do."""
    if manifest.get("format") != layout.FORMAT_VERSION:
        raise IndexMismatchError(
            f"index in {where} has format {manifest.get('format')}, this searcher reads "
            f"{layout.FORMAT_VERSION}; rebuild it with `searcher index --rebuild`"
        )
    if manifest.get("analyzer_version") != ANALYZER_VERSION:
        raise IndexMismatchError(
            f"index in {where} was built with analyzer {manifest.get('analyzer_version')}"
            f", this searcher uses {ANALYZER_VERSION}; run `searcher index` to update it"
        )
    sem = manifest.get("semantic")
    if model and sem and sem.get("model") != model:
        raise IndexMismatchError(
            f"index embeddings were made with {sem.get('model')!r}, not {model!r}; "
            f"query with that model or rebuild with `searcher index --model {model}`"
        )


class SearchIndex:
    """A consistent, read-only view of one index: its manifest and three parts.

    The parts are duck-typed so that a backend can supply its own: `store` (SectionStore's read
    methods), `lexical` (LexicalIndex's search/matching_ids/more_like/query_terms/
    doc_frequencies/doc_count) and `open_vectors()` returning VectorIndex's search/vector_of.
    The embedded backend (whoosh + sqlite + numpy files) is `SearchIndex.embedded(root)`.
    """

    def __init__(self, *, manifest: dict, store, lexical, open_vectors, where: str,
                 model: str | None = None, cache_dir: str | None = None):
        check_manifest(manifest, where, model)
        self.manifest = manifest
        self.where = where
        self.store = store
        self.lexical = lexical
        self._open_vectors = open_vectors
        sem = manifest.get("semantic")
        self.model = (sem or {}).get("model") or model
        self.cache_dir = cache_dir
        self._lazy = _Lazy()

    @classmethod
    def embedded(cls, root: Path, *, model: str | None = None,
                 cache_dir: str | None = None) -> SearchIndex:
        """Open the published generation of an index directory."""
        generation, manifest = layout.require_current(root)
        check_manifest(manifest, f"{root}/", model)
        try:
            store = SectionStore(generation / "sections.sqlite", readonly=True)
        except (FileNotFoundError, OSError):
            raise IndexNotBuiltError(f"index in {root}/ is incomplete; run `searcher index`") from None

        def open_vectors():
            from searcher.semantic.vectors import VectorIndex

            return VectorIndex(generation / "semantic")

        ix = cls(manifest=manifest, store=store, lexical=LexicalIndex(generation / "lexical"),
                 open_vectors=open_vectors, where=f"{root}/", model=model, cache_dir=cache_dir)
        ix.root, ix.generation = root, generation
        return ix

    # -- the semantic arm, loaded on first use (torch is imported only here) ------------------
    @property
    def has_semantic(self) -> bool:
        return bool(self.manifest.get("semantic"))

    def _vectors(self):
        if self._lazy.vectors is None:
            self._lazy.vectors = self._open_vectors()
        return self._lazy.vectors

    def encoder(self):
        with self._lazy.encoder_lock:
            return self._load_encoder()

    def _load_encoder(self):
        if self._lazy.encoder is None:
            from searcher.semantic.encoder import Encoder

            enc = Encoder(self.model, cache_dir=self.cache_dir)
            sem = self.manifest["semantic"]
            if enc.dim != sem.get("dim") or enc.prompts != sem.get("prompts"):
                raise IndexMismatchError(
                    f"model {self.model!r} now gives dim {enc.dim} / prompts {enc.prompts}, the "
                    f"index has dim {sem.get('dim')} / prompts {sem.get('prompts')}; rebuild it"
                )
            self._lazy.encoder = enc
        return self._lazy.encoder

    # -- arms ---------------------------------------------------------------------------------
    def lexical_hits(self, query: str, *, limit: int, filters: Filters) -> list[Hit]:
        return self.lexical.search(query, limit=limit, filters=filters)

    def semantic_hits(self, query: str, *, limit: int, filters: Filters) -> list[Hit]:
        allowed = None if filters.is_empty() else self.lexical.matching_ids(filters)
        qvec = self.encoder().encode_query(query)
        return self._vectors().search(qvec, limit=limit, allowed=allowed)

    # -- the public surface --------------------------------------------------------------------
    def respond(
        self,
        query: str,
        *,
        mode: str | SearchMode = SearchMode.hybrid,
        limit: int = 10,
        filters: dict[str, str | None] | None = None,
        candidates: int = 50,
        fusion: str | FusionMethod = FusionMethod.rrf,
        alpha: float | None = None,
    ) -> Response:
        """Search and say how: the mode really used and any notes for the user.

        `alpha` (0–1, the semantic arm's share) overrides the per-query arm weights.
        """
        mode = _mode(mode)
        fusion = _fusion(fusion)
        if alpha is not None and not 0.0 <= alpha <= 1.0:
            raise BadQueryError(f"alpha must be between 0 and 1, got {alpha}")
        if not query or not query.strip():
            raise BadQueryError("empty query")
        if not 1 <= limit <= MAX_LIMIT:
            raise BadQueryError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        # One arm alone needs no over-fetch for fusion: top-50 costs whoosh ~2x top-10.
        fetch = limit if mode == SearchMode.lexical else max(candidates, limit)
        c = self.candidates(query, mode=mode, filters=filters, fetch=fetch)
        mode, lex, sem, notes = c.mode, c.lexical, c.semantic, list(c.notes)
        weights = None
        if mode == SearchMode.lexical:
            fused = [_single(h, i, "lexical") for i, h in enumerate(lex, 1)]
        elif mode == SearchMode.semantic:
            fused = [_single(h, i, "semantic") for i, h in enumerate(sem, 1)]
        else:
            if alpha is None:
                weights = arm_weights(c.signal_query, self.lexical, lex)
            else:
                weights = (1.0 - alpha, alpha)
            fused = _fuse(lex, sem, weights, fusion)
        response = self._response(fused[:limit], mode, notes, weights)
        return replace(response, corrected_query=c.signal_query)

    def candidates(
        self, query: str, *, mode: SearchMode, filters: dict[str, str | None] | None, fetch: int,
    ) -> Candidates:
        """Parse the query (operators, field filters), correct typos, run the arms."""
        parsed = parse_query(query)
        flt = parse_filters({**(filters or {}), **parsed.filters})
        if parsed.is_empty():
            raise BadQueryError(f"query {query!r} has only filters; add words to search for")
        typo = self.lexical.expand_typos(parsed.text_for_lexical)
        notes: list[str] = [typo.note] if typo.note else []
        semantic_query = correct(parsed.text_for_semantic, typo.expansions) or query
        if mode != SearchMode.lexical and not self.has_semantic:
            if mode == SearchMode.semantic:
                raise IndexNotBuiltError(
                    "this index has no embeddings (built with --no-semantic); "
                    "run `searcher index` to add them"
                )
            notes.append("lexical only: this index has no embeddings yet (run `searcher index`)")
            mode = SearchMode.lexical
        sem_info = self.manifest.get("semantic") or {}
        total = self.manifest.get("sections") or 0
        if mode != SearchMode.lexical and sem_info.get("sections", total) < total:
            notes.append(f"embeddings cover {sem_info.get('sections')} of {total} sections; "
                         f"run `searcher index` to add the rest")
        lex: list[Hit] = []
        sem: list[Hit] = []
        if mode in (SearchMode.lexical, SearchMode.hybrid):
            lex = self.lexical_hits(typo.text_for_lexical, limit=fetch, filters=flt)
        if mode in (SearchMode.semantic, SearchMode.hybrid):
            sem = self.semantic_hits(semantic_query, limit=fetch, filters=flt)
        # Fusion signals come from the corrected query, not the misspelled one.
        return Candidates(mode, lex, sem, tuple(notes), typo.text_corrected)

    def search(self, query: str, *, mode: str | SearchMode = SearchMode.hybrid,
               limit: int = 10, filters: dict[str, str | None] | None = None,
               fusion: str | FusionMethod = FusionMethod.rrf,
               alpha: float | None = None) -> list[Result]:
        """The top `limit` sections for `query` as plain records."""
        return list(self.respond(query, mode=mode, limit=limit, filters=filters,
                                 fusion=fusion, alpha=alpha).results)

    def similar(
        self, section_id: str, *, limit: int = 10, filters: dict[str, str | None] | None = None,
        mode: str | SearchMode = SearchMode.hybrid, candidates: int = 50,
    ) -> Response:
        """Sections most like a given one: its embedding and its characteristic rare terms,
        fused with equal-weight RRF, under the same filters as search (itself excluded)."""
        section = self.show(section_id)
        mode = _mode(mode)
        flt = parse_filters(filters)
        notes: list[str] = []
        if mode != SearchMode.lexical and not self.has_semantic:
            notes.append("lexical only: this index has no embeddings yet (run `searcher index`)")
            mode = SearchMode.lexical
        fetch = max(candidates, limit)
        lex: list[Hit] = []
        sem: list[Hit] = []
        if mode in (SearchMode.lexical, SearchMode.hybrid):
            lex = self.lexical.more_like(section_id, section.text, limit=fetch, filters=flt)
        if mode in (SearchMode.semantic, SearchMode.hybrid):
            vec = self._vectors().vector_of(section_id)
            if vec is not None:
                allowed = None if flt.is_empty() else self.lexical.matching_ids(flt)
                sem = [h for h in self._vectors().search(vec, limit=fetch + 1, allowed=allowed)
                       if h.section_id != section_id][:fetch]
        if mode == SearchMode.lexical:
            fused = [_single(h, i, "lexical") for i, h in enumerate(lex, 1)]
        elif mode == SearchMode.semantic:
            fused = [_single(h, i, "semantic") for i, h in enumerate(sem, 1)]
        else:
            fused = reciprocal_rank_fusion(lex, sem, k=RRF_K)
        return self._response(fused[:limit], mode, notes, None)

    def _response(self, fused: list[FusedHit], mode: SearchMode, notes: list[str],
                  weights: tuple[float, float] | None) -> Response:
        sections = self.store.get_many(h.section_id for h in fused)
        results = tuple(
            _result(rank, h, sections[h.section_id], mode.value)
            for rank, h in enumerate((h for h in fused if h.section_id in sections), 1)
        )
        return Response(results, mode.value, tuple(notes), weights)

    def show(self, section_id: str) -> Section:
        s = self.store.get(section_id)
        if s is None:
            raise BadQueryError(f"no section {section_id!r} in this index")
        return s

    def sections(self, doc: str) -> list[Section]:
        out = self.store.sections_of(doc)
        if not out:
            known = [d["doc"] for d in self.store.documents()]
            matches = [d for d in known if d.startswith(doc) or Path(d).stem == doc]
            if len(matches) == 1:
                return self.store.sections_of(matches[0])
            raise BadQueryError(f"no document {doc!r} in this index")
        return out

    def documents(self) -> list[dict]:
        return self.store.documents()

    def close(self) -> None:
        self.lexical.close()
        self.store.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _mode(mode: str | SearchMode) -> SearchMode:
    try:
        return SearchMode(mode)
    except ValueError:
        raise BadQueryError(f"unknown mode {mode!r}; choose from {choices(SearchMode)}") from None


def _fusion(method: str | FusionMethod) -> FusionMethod:
    try:
        return FusionMethod(method)
    except ValueError:
        raise BadQueryError(
            f"unknown fusion {method!r}; choose from {choices(FusionMethod)}"
        ) from None


def _fuse(lex: list[Hit], sem: list[Hit], weights: tuple[float, float],
          method: FusionMethod) -> list[FusedHit]:
    if method == FusionMethod.convex:
        total = weights[0] + weights[1]
        alpha = weights[1] / total if total > 0 else 1.0
        return convex_combination(lex, sem, alpha=alpha)
    return reciprocal_rank_fusion(lex, sem, k=RRF_K, weights=weights)


def _single(hit: Hit, rank: int, arm: str) -> FusedHit:
    if arm == "lexical":
        return FusedHit(hit.section_id, hit.score, lexical_rank=rank, lexical_score=hit.score)
    return FusedHit(hit.section_id, hit.score, semantic_rank=rank, semantic_score=hit.score)


def _result(rank: int, h: FusedHit, section: Section, mode: str) -> Result:
    return Result(
        rank=rank, score=h.score, section=section, mode=mode,
        lexical_rank=h.lexical_rank, lexical_score=h.lexical_score,
        semantic_rank=h.semantic_rank, semantic_score=h.semantic_score,
    )


@dataclass(frozen=True, slots=True)
class Backend:
    """A storage backend other than the embedded index directory, found by its location.

    Backends register themselves through the `searcher.backends` entry-point group
    (pyproject.toml), so the engine imports none of them: `recognise` turns a location into the
    backend's own form (or None), `open` gives an object with SearchIndex's methods."""

    name: str
    recognise: Callable[[str], str | None]
    open: Callable[..., SearchIndex]


ENTRY_POINT_GROUP = "searcher.backends"
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")  # scheme:// (or scheme:/ after a Path trip)
_registry: dict[str, Backend] = {}
_entry_points_read: list[bool] = []  # one True once the entry points were loaded


def register_backend(backend: Backend) -> None:
    """Make a backend available to open_index (installed ones come through entry points)."""
    _registry[backend.name] = backend


def backends() -> list[Backend]:
    """The registered backends; the entry points are read on first use only."""
    if not _entry_points_read:
        from importlib.metadata import entry_points

        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name not in _registry:
                register_backend(ep.load())
        _entry_points_read.append(True)
    return list(_registry.values())


def open_index(path: str | os.PathLike | None = None, *, model: str | None = None,
               settings: Settings | None = None) -> SearchIndex:
    """Open the index at `path` (default: settings/env/`index/`) for searching; a location
    that a registered backend recognises (`postgresql://…`) opens that backend instead."""
    settings = settings or Settings.resolve(index_dir=path)
    where = os.fspath(path if path is not None else settings.index_dir)
    if _URI.match(where):
        for backend in backends():
            location = backend.recognise(where)
            if location is not None:
                return backend.open(location, model=model, settings=settings)
    root = Path(path) if path is not None else settings.index_dir
    return SearchIndex.embedded(root, model=model, cache_dir=settings.cache_dir or None)
