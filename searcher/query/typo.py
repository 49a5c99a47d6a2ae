"""Typo tolerance: expand a query word that the index does not know with close index terms.

    expand_typos("Brottsofferjoruen", lexical_index).note
        →  "showing results for brottsofferjouren (…)"

A word is expanded when neither it nor its stem occurs in the index (`exact`, `text` and `parts`
fields), or when it is rare (≤ RARE_DF sections) and a close term is DOMINANCE times as frequent;
never when the Swedish dictionary knows it (or its compound parts) or the English word list does
(searcher.query.language): a correctly spelled word, rare or absent, is left alone (`förde`,
`skydd` are not "corrected" into `för`, `skyndar`; `strategy`, `european`, `left` in an English
query are not "corrected" into `strategier`, `europa`, `lett`).

Candidates are index terms within an edit distance that grows with the word (MAX_DIST_BY_LENGTH;
a transposition counts as one edit, the first letter must agree), searched both as written
(`exact` field) and, for long words, as stems (`text` field: `psykoteraputeamet` → stem
`psykoteraputeam` is one edit from `psykoterapiteam`, though the words are three apart). The
nearest win, more frequent first, at most MAX_EXPANSIONS; the word stays in the query beside
them: `(w OR c1 OR c2)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rapidfuzz.distance import OSA

from searcher import messages
from searcher.analysis import SWEDISH_STOP_WORDS, compound_parts
from searcher.analysis.morphology import family
from searcher.analysis.stemming import SwedishStemmer
from searcher.query.language import is_english_word
from searcher.query.parse import Kind, tokenize

MAX_DIST_BY_LENGTH = ((4, 1), (8, 2))  # (from this many letters, allowed edits); shorter: none
MAX_EXPANSIONS = 3
STEM_ROUTE_MIN_DIST = 2  # stems are compared only for long words (fick ~ flick-or otherwise)
RARE_DF = 2  # a present word this rare may still be a typo (when the dictionary lacks it)
DOMINANCE = 10  # … if a close term is in this many times more sections

_STEMMER = SwedishStemmer()


class Vocabulary(Protocol):
    """What typo expansion needs from the lexical index (LexicalIndex implements it)."""

    def term_frequency(self, field: str, term: str) -> int: ...

    def near_terms(self, field: str, word: str, maxdist: int) -> list[tuple[str, int]]: ...

    def surface_for_stem(self, stem: str) -> tuple[str, int] | None: ...


@dataclass(frozen=True, slots=True)
class Expansion:
    """A query word and the index terms searched beside it, best first."""

    word: str
    candidates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TypoResult:
    """The query with expansions applied, for each arm, and what was expanded."""

    text_for_lexical: str  # each expanded word → (word OR c1 OR c2)
    text_corrected: str  # each expanded word → its best candidate (semantic arm, display)
    expansions: tuple[Expansion, ...]

    @property
    def note(self) -> str | None:
        """'showing results for …' ('visar resultat för …') for the user, in the interface
        language; None when nothing was expanded."""
        if not self.expansions:
            return None
        shown = "; ".join(f"{e.word} → {' / '.join(e.candidates)}" for e in self.expansions)
        return messages.t("typo_note", text=self.text_corrected, shown=shown)


def max_distance(word: str) -> int:
    """Edits allowed for a word of this length (0: too short to correct)."""
    allowed = 0
    for length, dist in MAX_DIST_BY_LENGTH:
        if len(word) >= length:
            allowed = dist
    return allowed


def expand_typos(query: str, vocab: Vocabulary) -> TypoResult:
    """Expand the unknown (or rare, non-dictionary) plain words of a whoosh-syntax query."""
    pieces: list[tuple[int, int, Expansion]] = []
    for t in tokenize(query):
        if t.kind != Kind.word or not t.text.isalpha():
            continue
        found = _expand_word(t.text, vocab)
        if found is not None:
            pieces.append((t.start, t.end, found))
    if not pieces:
        return TypoResult(query, query, ())
    lexical, corrected = query, query
    for start, end, e in reversed(pieces):
        group = "(" + " OR ".join((e.word, *e.candidates)) + ")"
        lexical = lexical[:start] + group + lexical[end:]
        corrected = corrected[:start] + e.candidates[0] + corrected[end:]
    return TypoResult(lexical, corrected, tuple(e for _, _, e in pieces))


def corrections(expansions: tuple[Expansion, ...]) -> dict[str, str]:
    """Each expanded word (lowercased) → its best candidate."""
    return {e.word.lower(): e.candidates[0] for e in expansions}


def correct(text: str, expansions: tuple[Expansion, ...]) -> str:
    """`text` with each expanded word (a whole word, any case) replaced by its best candidate."""
    words = corrections(expansions)
    out = []
    for t in text.split(" "):
        out.append(words.get(t.lower(), t))
    return " ".join(out)


def _expand_word(word: str, vocab: Vocabulary) -> Expansion | None:
    w = word.lower()
    dist = max_distance(w)
    if dist == 0 or w in SWEDISH_STOP_WORDS:
        return None
    stem = _STEMMER.stem(w)
    df = max(vocab.term_frequency("exact", w), vocab.term_frequency("text", stem),
             vocab.term_frequency("parts", stem))  # sjuk: only inside sjuklön, sjukfrånvaro
    if df > RARE_DF or _known(w):
        return None
    scored: dict[str, tuple[int, int]] = {}  # candidate → (edits, sections)
    for term, n in vocab.near_terms("exact", w, 2 if dist == 1 else dist):  # 2: transpositions
        if term.isalpha() and term != w:
            _offer(scored, term, osa_distance(w, term), n, dist)
    stem_dist = max_distance(stem) if dist >= STEM_ROUTE_MIN_DIST else 0
    for term_stem, _ in vocab.near_terms("text", stem, stem_dist) if stem_dist else ():
        surface = vocab.surface_for_stem(term_stem) if term_stem != stem else None
        if surface is not None and surface[0] != w and osa_distance(w, surface[0]) <= dist + 1:
            _offer(scored, surface[0], osa_distance(stem, term_stem), surface[1], stem_dist)
    ranked = sorted(scored.items(), key=lambda kv: (kv[1][0], -kv[1][1], kv[0]))
    if df:
        ranked = [(t, (d, n)) for t, (d, n) in ranked if n >= DOMINANCE * df]
    if not ranked:
        return None
    best = ranked[0][1][0]
    return Expansion(word, tuple(t for t, (d, _) in ranked if d == best)[:MAX_EXPANSIONS])


def _offer(scored: dict[str, tuple[int, int]], term: str, edits: int, n: int, limit: int) -> None:
    old = scored.get(term)
    if edits <= limit and (old is None or (edits, -n) < (old[0], -old[1])):
        scored[term] = (edits, n)


def _known(word: str) -> bool:
    """True when the Swedish dictionary knows the word (or its compound parts), or the English
    word list does: a query word in either language is not a typo to correct into Swedish."""
    return family(word) is not None or bool(compound_parts(word)) or is_english_word(word)


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: Levenshtein plus adjacent transpositions as one edit
    (rapidfuzz's C++ implementation; tests/query/test_typo.py checks it against the textbook
    dynamic programme)."""
    return OSA.distance(a, b)
