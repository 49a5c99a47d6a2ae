"""The engine: one opened index (manifest + section store + lexical + semantic) that searches.

    open_index("index/").search("Balans-22", mode="hybrid", limit=10) -> [Result, …]

Each arm over-fetches candidates, both arms apply the same filters before top-k, and the
fusion functions in searcher.ranking.fusion combine them with per-query arm weights. In hybrid
mode the query's encoding (onnxruntime, which releases the GIL) runs on a worker thread while
this thread corrects typos, runs the lexical arm and reads the query's fusion signals; the
vector search (usearch, which holds the GIL) follows on this thread.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from searcher.analysis import ANALYZER_VERSION
from searcher.errors import (
    BadQueryError,
    IndexMismatchError,
    IndexNotBuiltError,
    ModelSetupError,
)
from searcher.lexical.index import LexicalIndex
from searcher.messages import t
from searcher.query.filters import Filters, parse_filters
from searcher.query.parse import ParsedQuery, parse_query
from searcher.query.typo import correct, corrections
from searcher.ranking.features import Candidate, QuerySignals
from searcher.ranking.fusion import (
    DEFAULT_ALPHA,
    RRF_K,
    FusionMethod,
    convex_fusion,
    learned_fusion,
    reciprocal_rank_fusion,
)
from searcher.ranking.learned import COEFFICIENTS
from searcher.ranking.signals import CandidateCoverage, query_signals, query_words
from searcher.records import FusedHit, Hit, Result, Section
from searcher.settings import SearchMode, Settings, choices
from searcher.store import layout
from searcher.store.sections import SectionStore

MAX_LIMIT = 1000
#: Seconds a hybrid query waits for its semantic worker to start before its lexical arm (a
#: thread wakes in well under a millisecond; a pool busy with other queries is not waited for).
BESIDE_START_WAIT = 0.01
#: Response.mode of a query of only filters: sections listed in date order, not ranked.
LISTING_MODE = "filters"

#: Query size limits: the typo expansion walks the term index per word, and analysis splits
#: compounds, so a pasted page or a 100,000-character "word" would take minutes. A real query
#: is a few words; the longest Swedish compounds and identifiers are well under 100 letters.
MAX_QUERY_CHARS = 1000
MAX_QUERY_WORDS = 64
MAX_WORD_CHARS = 100


def check_query_size(query: str) -> None:
    """Refuse a query too long, with too many words, or with a word too long, saying which."""
    if len(query) > MAX_QUERY_CHARS:
        raise BadQueryError(f"query too long ({len(query):,} characters; the limit is "
                            f"{MAX_QUERY_CHARS:,})")
    words = query.split()
    if len(words) > MAX_QUERY_WORDS:
        raise BadQueryError(f"query has too many words ({len(words)}; the limit is "
                            f"{MAX_QUERY_WORDS})")
    longest = max(words, key=len, default="")
    if len(longest) > MAX_WORD_CHARS:
        raise BadQueryError(f"query word too long ({len(longest):,} characters, "
                            f"{longest[:20]!r}…; the limit is {MAX_WORD_CHARS})")


@dataclass(frozen=True, slots=True)
class Response:
    """Results plus one-line notes for the user (fallbacks, expansions)."""

    results: tuple[Result, ...]
    mode: str
    notes: tuple[str, ...] = ()
    weights: tuple[float, float] | None = None
    corrected_query: str = ""  # the query as really searched (typos corrected), for display
    parsed: ParsedQuery | None = None  # that query parsed once: terms, phrases, filters (marking)
    total: int | None = None  # sections matching in all (the "of N" of "10 of N"); None: unknown


@dataclass(frozen=True, slots=True)
class Candidates:
    """Both arms' over-fetched hits for one query, before fusion."""

    mode: SearchMode  # the mode really used (hybrid falls back to lexical without vectors)
    lexical: list[Hit]
    semantic: list[Hit]
    notes: tuple[str, ...]
    signal_query: str  # the query text the fusion signals are computed on
    parsed: ParsedQuery  # the query as searched (typos corrected), parsed once
    union: tuple[Candidate, ...] = ()  # hybrid: both arms' candidates, scored in both arms
    signals: QuerySignals | None = None  # hybrid: the query's fusion signals
    lexical_query: str = ""  # what the lexical arm searched (typo expansions included)
    filters: Filters = field(default_factory=Filters)  # as parsed from options and the query
    total: int | None = None  # lexical, hybrid: the matches (hybrid: beside the semantic arm)


@dataclass
class _Lazy:
    """The parts opened on first use; `lock` makes that happen once when threads share it.
    `pool` runs a hybrid query's semantic arm beside its lexical arm (made on first use under
    `pool_lock`, not `lock`, which the encoder holds while it encodes)."""

    vectors: object | None = None
    encoder: object | None = None
    extra: dict = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    pool: ThreadPoolExecutor | None = None
    pool_lock: threading.Lock = field(default_factory=threading.Lock)


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

    One SearchIndex may be shared by threads (a web app, a notebook's pool): the lexical
    handle and the section store each use their state under a lock, and the lazily opened
    vectors and encoder are opened once under `_lazy.lock`.

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
        checksums = layout.Checksums(generation, manifest)  # each part checked on first use
        checksums.require("sections.sqlite")
        try:
            store = SectionStore(generation / "sections.sqlite", readonly=True)
        except (FileNotFoundError, OSError):
            raise IndexNotBuiltError(f"index in {root}/ is incomplete; run `searcher index`") from None
        try:
            checksums.require("lexical")
            lexical = LexicalIndex(generation / "lexical")
        except BaseException:
            store.close()
            raise

        def open_vectors():
            from searcher.semantic.vectors import VectorIndex

            checksums.require("semantic")
            try:
                return VectorIndex(generation / "semantic")
            except (OSError, ValueError, EOFError) as e:  # a manifest without checksums
                raise IndexNotBuiltError(
                    f"index in {root}/ is damaged ({generation.name}/semantic: {e}); run "
                    f"`searcher index` to repair it"
                ) from None

        ix = cls(manifest=manifest, store=store, lexical=lexical,
                 open_vectors=open_vectors, where=f"{root}/", model=model, cache_dir=cache_dir)
        ix.root, ix.generation = root, generation
        return ix

    # -- the semantic arm, loaded on first use (torch is imported only here) ------------------
    @property
    def has_semantic(self) -> bool:
        return bool(self.manifest.get("semantic"))

    def _vectors(self):
        with self._lazy.lock:
            if self._lazy.vectors is None:
                self._lazy.vectors = self._open_vectors()
            return self._lazy.vectors

    def encoder(self):
        with self._lazy.lock:
            return self._encoder()

    def _encoder(self):
        if self._lazy.encoder is None:
            from searcher.semantic.encoder import open_encoder

            sem = self.manifest["semantic"]
            enc = open_encoder(self.model, cache_dir=self.cache_dir,
                               index_runtime=sem.get("runtime"))
            if enc.dim != sem.get("dim") or enc.prompts != sem.get("prompts"):
                raise IndexMismatchError(
                    f"model {self.model!r} now gives dim {enc.dim} / prompts {enc.prompts}, the "
                    f"index has dim {sem.get('dim')} / prompts {sem.get('prompts')}; rebuild it"
                )
            self._lazy.encoder = enc
        return self._lazy.encoder

    # -- arms ---------------------------------------------------------------------------------
    def lexical_hits(self, query: str, *, limit: int, filters: Filters) -> list[Hit]:
        return _finite(self.lexical.search(query, limit=limit, filters=filters))

    def semantic_hits(self, query: str, *, limit: int, filters: Filters,
                      qvec=None) -> list[Hit]:
        allowed = None if filters.is_empty() else self.lexical.matching_ids(filters)
        if qvec is None:
            qvec = self.query_vector(query)
        return _finite(self._vectors().search(qvec, limit=limit, allowed=allowed))

    def query_vector(self, query: str):
        """The query's embedding, encoded under the handle's lock (a Rust tokenizer shared by
        threads fails with "Already borrowed") and checked to be finite."""
        with self._lazy.lock:
            qvec = self.encoder().encode_query(query)
        if not all(map(math.isfinite, qvec.tolist())):
            raise ModelSetupError(
                f"the embedding model {self.model!r} gave a query vector that is not finite "
                f"(a damaged model file?); delete the model cache to have it rebuilt"
            )
        return qvec

    def scored_union(self, lexical_query: str, qvec, lex: list[Hit],
                     sem: list[Hit]) -> tuple[Candidate, ...]:
        """Both arms' candidates, each scored in both arms: BM25F from the lexical index for
        the semantic arm's finds, cosine from the stored vectors for the lexical arm's."""
        ids = sorted({h.section_id for h in lex} | {h.section_id for h in sem})
        lex_score = {h.section_id: h.score for h in lex}
        missing = [i for i in ids if i not in lex_score]
        if missing and hasattr(self.lexical, "scores_of"):
            lex_score.update(self.lexical.scores_of(lexical_query, missing))
        sem_score = {h.section_id: h.score for h in sem}
        missing = [i for i in ids if i not in sem_score]
        if missing:
            sem_score.update(_cosines(self._vectors(), qvec, missing))
        return tuple(Candidate(i, lex_score.get(i, 0.0), sem_score.get(i)) for i in ids)

    # -- the public surface --------------------------------------------------------------------
    def respond(
        self,
        query: str,
        *,
        mode: str | SearchMode = SearchMode.hybrid,
        limit: int | None = 10,
        filters: dict[str, str | None] | None = None,
        candidates: int = 50,
        fusion: str | FusionMethod = FusionMethod.learned,
        alpha: float | None = None,
        coefficients: Mapping[str, float] | None = None,
    ) -> Response:
        """Search and say how: the mode really used, any notes for the user, the total.

        `alpha` (0–1, the semantic arm's share) overrides the learned combiner: a convex
        combination (or, with `fusion="rrf"`, RRF weights) with that share. `coefficients`:
        another table for the learned combiner (scripts/evaluate.py's out-of-sample runs).
        `limit=None` returns every section the query matches (no MAX_LIMIT cap). A query of
        only filters lists the sections passing them, in date order (`listing`).
        """
        mode = _mode(mode)
        fusion = _fusion(fusion)
        if alpha is not None and not 0.0 <= alpha <= 1.0:
            raise BadQueryError(f"alpha must be between 0 and 1, got {alpha}")
        if not query or not query.strip():
            raise BadQueryError("empty query")
        check_query_size(query)
        if limit is not None and not 1 <= limit <= MAX_LIMIT:
            raise BadQueryError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        parsed = parse_query(query)
        if parsed.is_empty():
            return self.listing({**(filters or {}), **parsed.filters}, limit=limit)
        every = limit is None
        limit = self.store.section_count() if every else limit
        # One arm alone needs no over-fetch for fusion: top-50 costs whoosh ~2x top-10.
        fetch = limit if mode == SearchMode.lexical else max(candidates, limit)
        c = self.candidates(parsed, mode=mode, filters=filters, fetch=fetch,
                            semantic_fetch=max(candidates, 1) if every else None)
        mode, lex, sem, notes = c.mode, c.lexical, c.semantic, list(c.notes)
        weights = None
        if mode == SearchMode.lexical:
            fused = [_single(h, i, "lexical") for i, h in enumerate(lex, 1)]
        elif mode == SearchMode.semantic:
            fused = [_single(h, i, "semantic") for i, h in enumerate(sem, 1)]
        else:
            fused, weights = _fuse(c, fusion, alpha, coefficients, limit)
        response = self._response(fused[:limit], mode, notes, weights)
        return replace(response, corrected_query=c.signal_query, parsed=c.parsed,
                       total=self._total(c))

    def candidates(
        self, query: ParsedQuery | str, *, mode: SearchMode,
        filters: dict[str, str | None] | None, fetch: int, semantic_fetch: int | None = None,
    ) -> Candidates:
        """Correct typos in the parsed query (a string is checked and parsed here), run the
        arms."""
        if isinstance(query, str):
            check_query_size(query)
        parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
        text = parsed.query
        flt = parse_filters({**(filters or {}), **parsed.filters})
        if parsed.is_empty():
            raise BadQueryError(f"query {text!r} has only filters; add words to search for")
        # A hybrid query's encoding starts before its typos are corrected, on the query as
        # written (the usual case: nothing to correct); the encoder releases the GIL, so the
        # typo check and the lexical arm run here meanwhile.
        written = parsed.text_for_semantic or text
        encoding = self._beside(self.query_vector, written) \
            if mode == SearchMode.hybrid and self.has_semantic else None
        try:
            typo = self.lexical.expand_typos(parsed.text_for_lexical)
        except BaseException:
            if encoding is not None:
                wait([encoding])
            raise
        notes: list[str] = [typo.note] if typo.note else []
        semantic_query = correct(parsed.text_for_semantic, typo.expansions) or text
        if encoding is not None and semantic_query != written:  # a correction: encode that
            encoding = self._beside(self.query_vector, semantic_query)
        if mode != SearchMode.lexical and not self.has_semantic:
            if mode == SearchMode.semantic:
                raise IndexNotBuiltError(
                    "this index has no embeddings (built with --no-semantic); "
                    "run `searcher index` to add them"
                )
            notes.append(t("lexical_only"))
            mode = SearchMode.lexical
        sem_info = self.manifest.get("semantic") or {}
        total = self.manifest.get("sections") or 0
        if mode != SearchMode.lexical and sem_info.get("sections", total) < total:
            notes.append(t("partial_embeddings", n=sem_info.get("sections"), total=total))
        if flt.is_day_precise():  # the index filters by year: fetch all, keep the days
            fetch = max(fetch, self.store.section_count())
        lex: list[Hit] = []
        sem: list[Hit] = []
        qvec = None
        signals, coverage, total, coverage_of = None, {}, None, None
        if mode == SearchMode.hybrid:
            # The query's encoding (outside the GIL) runs beside the lexical arm and the
            # query's signals (Python, under the GIL); the vector search follows here (usearch
            # holds the GIL, so it would not run beside Python work anyway). Same results, same
            # errors as the arms in turn: the lexical arm's error first.
            try:
                # Counted first: the count scores every match, and the top-k is cut from those.
                total = self._lexical_total(typo.text_for_lexical, flt)
                lex = self.lexical_hits(typo.text_for_lexical, limit=fetch, filters=flt)
                # Fusion signals come from the corrected query, not the misspelled one; the
                # language from the query as typed.
                words = query_words(typo.text_corrected, self.lexical) \
                    if typo.text_corrected.strip() else None
                signals = query_signals(typo.text_corrected, self.lexical, words=words,
                                        language_of=parsed.text_for_semantic or text)
                coverage_of = self._coverage_of(typo.text_corrected, words)
                coverage = coverage_of([h.section_id for h in lex])
            except BaseException:
                wait([encoding])  # the lexical arm's error wins, as when the arms ran in turn
                raise
            sem, qvec, note = self._semantic_or_note(semantic_query, semantic_fetch or fetch,
                                                     flt, encoding)
            if note:
                notes.append(note)
                mode = SearchMode.lexical
        elif mode == SearchMode.lexical:
            total = self._lexical_total(typo.text_for_lexical, flt)  # first: as for hybrid
            lex = self.lexical_hits(typo.text_for_lexical, limit=fetch, filters=flt)
        else:
            qvec = self.query_vector(semantic_query)
            sem = self.semantic_hits(semantic_query, limit=semantic_fetch or fetch, filters=flt,
                                     qvec=qvec)
        lex, sem = self._within_days(lex, flt), self._within_days(sem, flt)
        searched = parsed.corrected(corrections(typo.expansions), typo.text_corrected)
        c = Candidates(mode, lex, sem, tuple(notes), typo.text_corrected, searched,
                       lexical_query=typo.text_for_lexical, filters=flt, total=total)
        if mode != SearchMode.hybrid:
            return c
        union = self.scored_union(typo.text_for_lexical, qvec, lex, sem)
        coverage.update(coverage_of([u.section_id for u in union
                                     if u.section_id not in coverage]))
        union = tuple(Candidate(u.section_id, u.lexical_score, u.semantic_score,
                                coverage[u.section_id]) for u in union) if coverage else union
        return replace(c, union=union, signals=signals)

    def _beside(self, fn: Callable, *args) -> Future:
        """Run fn(*args) on this handle's worker thread; its result (or error) is the future's.

        Returns once the worker has started (or after BESIDE_START_WAIT): a caller that went on
        with Python work at once would hold the GIL, and the waking worker would wait out the
        interpreter's switch interval (5 ms) before it could start encoding."""
        started = threading.Event()

        def run():
            started.set()
            return fn(*args)

        with self._lazy.pool_lock:
            if self._lazy.pool is None:
                self._lazy.pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1,
                                                     thread_name_prefix="searcher-semantic")
            future = self._lazy.pool.submit(run)
        started.wait(BESIDE_START_WAIT)
        return future

    def _coverage_of(self, query: str, words) -> Callable[[list[str]], dict[str, float]]:
        """Sections → their share of the query's IDF mass (none where the lexical backend cannot
        tell which terms a section holds: the candidates keep coverage 0). The query's part is
        read here, once; each call then asks about some candidates."""
        if not hasattr(self.lexical, "sections_with_terms"):
            return lambda section_ids: {}
        share = CandidateCoverage(query, self.lexical, words=words)
        return lambda section_ids: share(section_ids) if section_ids else {}

    def search(self, query: str, *, mode: str | SearchMode = SearchMode.hybrid,
               limit: int = 10, filters: dict[str, str | None] | None = None,
               fusion: str | FusionMethod = FusionMethod.learned,
               alpha: float | None = None,
               coefficients: Mapping[str, float] | None = None) -> list[Result]:
        """The top `limit` sections for `query` as plain records."""
        return list(self.respond(query, mode=mode, limit=limit, filters=filters,
                                 fusion=fusion, alpha=alpha, coefficients=coefficients).results)

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
            notes.append(t("lexical_only"))
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

    # -- totals and filter-only listings (issue 18) ---------------------------------------------
    def listing(self, filters: dict[str, str | None], *, limit: int | None = None) -> Response:
        """Every section passing `filters`, in date order (then document order): the answer
        to a query of only filters such as `dnr:2022-00295` or `paragraf:259`."""
        flt = parse_filters(filters)
        if flt.is_empty():
            raise BadQueryError("empty query")
        ordered = self._in_date_order(self.lexical.matching_ids(flt) or set(), flt)
        shown = ordered if limit is None else ordered[:limit]
        sections = self.store.get_many(shown)
        results = tuple(Result(rank=i, score=0.0, section=sections[sid], mode=LISTING_MODE)
                        for i, sid in enumerate((x for x in shown if x in sections), 1))
        return Response(results, LISTING_MODE, total=len(ordered))

    def _in_date_order(self, ids: set[str], flt: Filters) -> list[str]:
        """Section ids by their document's date, then document, then place in it (ids are
        `<doc stem>/<part>`), dropping those outside a day-precise range; no text is read."""
        docs = {Path(d["doc"]).stem: (d.get("date") or "", d["doc"]) for d in self.documents()}
        keyed = []
        for sid in ids:
            date, doc = docs.get(sid.split("/", 1)[0], ("", ""))
            if flt.admits_date(date or None):
                keyed.append(((date or "9999", doc, _natural(sid)), sid))
        return [sid for _key, sid in sorted(keyed)]

    def _semantic_or_note(self, query: str, fetch: int, flt: Filters,
                          encoding: Future) -> tuple[list[Hit], object | None, str]:
        """The semantic arm of a hybrid query (its query vector being encoded by `encoding`) and
        that vector, or ([], None, a note) when the index's model cannot be loaded here: the
        words still answer (a semantic-only query raises instead)."""
        try:
            qvec = encoding.result()  # re-raises the encoder's error
            return self.semantic_hits(query, limit=fetch, filters=flt, qvec=qvec), qvec, ""
        except ModelSetupError as e:  # not installed here, an unwritable cache, a damaged file
            return [], None, t("model_missing", model=self.model, reason=e)

    def _within_days(self, hits: list[Hit], flt: Filters) -> list[Hit]:
        """Hits whose section's date lies in a range that starts or ends inside a year."""
        if not flt.is_day_precise() or not hits:
            return hits
        kept = set(self._in_date_order({h.section_id for h in hits}, flt))
        return [h for h in hits if h.section_id in kept]

    def _total(self, c: Candidates) -> int | None:
        """How many sections the query matches: those holding its words (all of them, not
        just the fetched ones; a hybrid list may add sections found by meaning alone), or
        every section under the filters for a semantic query. None: the backend cannot
        count."""
        if c.mode == SearchMode.semantic:
            return self.listing_count(c.filters)
        if c.filters.is_day_precise():
            return len(c.lexical)  # fetched in full for day ranges
        if c.total is not None:
            return c.total
        return self._lexical_total(c.lexical_query, c.filters)

    def _lexical_total(self, lexical_query: str, flt: Filters) -> int | None:
        """Sections holding the query's words under `flt`; None where the backend cannot count
        or a day range needs the fetched hits (see _total)."""
        count = getattr(self.lexical, "count", None)
        if count is None or flt.is_day_precise():
            return None
        return count(lexical_query, flt)

    def listing_count(self, flt: Filters) -> int:
        """Sections passing `flt` (all sections without filters)."""
        if flt.is_empty():
            return self.store.section_count()
        ids = self.lexical.matching_ids(flt) or set()
        return len(self._in_date_order(ids, flt)) if flt.is_day_precise() else len(ids)

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
        with self._lazy.pool_lock:
            if self._lazy.pool is not None:
                self._lazy.pool.shutdown(wait=True)
                self._lazy.pool = None
        self.lexical.close()
        self.store.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _finite(hits: list[Hit]) -> list[Hit]:
    """Hits with a finite score (NaN from damaged vectors never reaches fusion or JSON)."""
    return [h for h in hits if math.isfinite(h.score)]


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


def _fuse(
    c: Candidates, method: FusionMethod, alpha: float | None,
    coefficients: Mapping[str, float] | None, limit: int,
) -> tuple[list[FusedHit], tuple[float, float] | None]:
    """The top `limit` of a hybrid query's fused ranking, and the arm weights when the method
    has fixed ones."""
    if method == FusionMethod.rrf:
        weights = (1.0, 1.0) if alpha is None else (1.0 - alpha, alpha)
        return reciprocal_rank_fusion(c.lexical, c.semantic, k=RRF_K, weights=weights,
                                      limit=limit), weights
    if method == FusionMethod.convex or alpha is not None:
        a = DEFAULT_ALPHA if alpha is None else alpha
        return convex_fusion(c.union, c.signals, alpha=a, limit=limit), (1.0 - a, a)
    return learned_fusion(c.union, c.signals, coefficients=coefficients or COEFFICIENTS,
                          limit=limit), None


def _cosines(vectors, qvec, section_ids: list[str]) -> dict[str, float]:
    """Best-passage cosine of the query for these sections, from the stored vectors."""
    if hasattr(vectors, "scores_of"):
        return vectors.scores_of(qvec, section_ids)
    out = {}
    for sid in section_ids:
        rows = vectors.rows_of(sid)
        if rows is not None and len(rows):
            out[sid] = float((rows @ qvec).max())
    return out


def _natural(text: str) -> tuple:
    """A sort key that orders `p9` before `p10` (numbers by value)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _single(hit: Hit, rank: int, arm: str) -> FusedHit:
    if arm == "lexical":
        return FusedHit(hit.section_id, hit.score, lexical_rank=rank, lexical_score=hit.score)
    return FusedHit(hit.section_id, hit.score, semantic_rank=rank, semantic_score=hit.score)


def _result(rank: int, h: FusedHit, section: Section, mode: str) -> Result:
    return Result(
        rank=rank, score=h.score, section=section, mode=mode,
        lexical_rank=h.lexical_rank, lexical_score=h.lexical_score,
        semantic_rank=h.semantic_rank, semantic_score=h.semantic_score, features=h.features,
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
