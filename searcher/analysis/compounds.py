"""Swedish decompounding: `placeringskostnader` → `placering` + `kostnader`, lexicon-verified.

A split is `begin (middle)* end` where each piece is a form the Hunspell dictionary allows in
that role (searcher.analysis.lexicon), linking morphemes (-s-, -e-, -a-, -u-, -o-) included
because the dictionary lists the linking forms themselves. Among valid splits the fewest parts
win, then one without a restored triple consonant (sekretess|lagen, not sekretess|slagen; fall +
lucka is written fallucka), then the longest shortest part, then the longest last part.
Rules against junk:

| rule                        | why                                                           |
| --------------------------- | ------------------------------------------------------------- |
| every part ≥ 3 letters      | no two-letter pieces (el|bilar is lost, kon|sekvens avoided)  |
| no particle first parts     | `under|skrift`, `samman|träde`, `efter|frågan` are lexicalised |
| no suffix-like last parts   | `sjuk|dom`, `stor|lek`, `verksam|het`, `kombi|nation`          |
| no lexicalised words        | data/lexicalised_sv.txt: riksdag, ordförande, läkemedel, …     |
| at most MAX_PARTS parts     | the dictionary's COMPOUNDWORDMAX is 4; deeper splits are noise |
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import snowballstemmer
from whoosh.analysis import Filter, Token

from searcher.analysis.lexicon import Lexicon, load_lexicon

MIN_WORD = 6  # shorter words are never split
MIN_BEGIN = 3  # letters in the first part (4 loses lag|förslag, tim|taxa, del|område)
MIN_PART = 3  # letters in every other part
MAX_PARTS = 3  # parts per level; compound_parts() also splits the parts themselves once
CACHE_SIZE = 200_000  # words whose parts CompoundFilter remembers
MAX_INFLECTION = 5  # letters a word may add to a lexicalised entry and still match it
LEXICALISED_FILE = Path(__file__).parent / "data" / "lexicalised_sv.txt"
# Prepositions, particles and adverbs that begin lexicalised words (underskrift, fastställa,
# fortfarande, återinföra) far more often than transparent compounds.
BLOCKED_BEGIN = frozenset(
    """
    an av bak bort efter emellan emot fram från för före genom igenom in inne kring med
    mellan mot ned ner om omkring på runt samman sam till tillbaka undan under upp ur ut utan
    utom vid åt över bi miss sär fast fort åter
    """.split()
)
# Last parts that are homographs of derivational endings: sjuk|dom, stor|lek, egen|dom,
# kombi|nation, ford|ringar, verksam|het. Compared with the part's Snowball stem.
BLOCKED_END_STEMS = frozenset("dom lek het skap ring nation else ande ende ism tiger".split())

Split = tuple[tuple[str, str], ...]  # ((surface, root), …)


def split_compound(word: str, lexicon: Lexicon | None = None) -> Split | None:
    """The parts of a lowercase compound as (surface, root) pairs, or None when it is not one."""
    lex = lexicon if lexicon is not None else load_lexicon()
    n = len(word)
    if n < MIN_WORD or not word.isalpha() or is_lexicalised(word):
        return None
    begin, middle, end = lex.begin, lex.middle, lex.end
    memo: dict[int, Split | None] = {}

    def rest(i: int, budget: int) -> Split | None:
        """word[i:] as (middle)* end with at most `budget` parts; fewest parts first."""
        key = i * 8 + budget
        if key in memo:
            return memo[key]
        tail = word[i:]
        best: Split | None = None
        if len(tail) >= MIN_PART and tail in end and _stem(tail) not in BLOCKED_END_STEMS:
            best = ((tail, tail),)
        if best is None and budget > 1:
            for j in range(i + MIN_PART, n - MIN_PART + 1):
                root = middle.get(word[i:j])
                if root is not None:
                    more = rest(j, budget - 1)
                    if more is not None and _better(((word[i:j], root), *more), best):
                        best = ((word[i:j], root), *more)
        memo[key] = best
        return best

    best: Split | None = None
    for j in range(MIN_BEGIN, n - MIN_PART + 1):
        head = word[:j]
        root = begin.get(head)
        if root is None or {head, head[:-1], root} & BLOCKED_BEGIN:
            continue
        starts = [j]
        if j >= 2 and word[j - 1] == word[j - 2] and word[j - 1] not in "aeiouyåäö":
            starts.append(j - 1)  # SIMPLIFIEDTRIPLE: fall + lucka is written fallucka
        for start in starts:
            more = rest(start, MAX_PARTS - 1)
            if more is not None and _better(((head, root), *more), best):
                best = ((head, root), *more)
    return best


@lru_cache(maxsize=1)
def _lexicalised() -> dict[str, tuple[str, ...]]:
    entries: dict[str, list[str]] = {}
    for line in LEXICALISED_FILE.read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            entries.setdefault(entry[:3], []).append(entry)
    return {k: tuple(v) for k, v in entries.items()}


def is_lexicalised(word: str) -> bool:
    """True for words listed in data/lexicalised_sv.txt (riksdagen, läkemedlet, handläggaren)."""
    return any(
        word.startswith(e) and len(word) - len(e) <= MAX_INFLECTION
        for e in _lexicalised().get(word[:3], ())
    )


def compound_parts(word: str, lexicon: Lexicon | None = None, depth: int = 2) -> tuple[str, ...]:
    """Roots of the parts of `word`, and of the parts' own parts (`depth` levels); () if none.

    `hälsodataområdet` → hälso, dataområdet, data, området: the top split keeps the fewest
    parts, the nested one lets `område` find the word too.
    """
    found = split_compound(word, lexicon)
    if not found:
        return ()
    roots: list[str] = []
    for surface, root in found:
        roots.append(root)
        if depth > 1:
            roots.extend(compound_parts(root if root != surface else surface, lexicon, depth - 1))
    return tuple(r for r in dict.fromkeys(roots) if r != word)


def _better(candidate: Split, best: Split | None) -> bool:
    if best is None:
        return True
    return _rank(candidate) > _rank(best)


def _rank(split: Split) -> tuple[int, int, int, int]:
    # fewer parts; no restored triple consonant; longest shortest part; longest last part
    # (a split that restores a letter, sekretess|slagen, is one letter longer than the word)
    return (-len(split), -sum(len(s) for s, _ in split), min(len(s) for s, _ in split),
            len(split[-1][0]))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("swedish")


def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


class CompoundFilter(Filter):
    """Stack compound parts (their roots, stemmed later) on the compound's position.

    Index mode: the word, then its parts. Query mode: a lone query word that is a compound
    becomes its parts only (so `serveringstillstånd` also finds `tillstånd för servering`);
    words of a longer query (a phrase) stay whole. The lexicon loads on first use, never pickled.
    """

    is_morph = True

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._cache = {}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def parts(self, word: str) -> tuple[str, ...]:
        """Distinct part roots of `word` (empty when it is not a compound); cached."""
        cached = self._cache.get(word)
        if cached is None:
            cached = compound_parts(word) if len(word) >= MIN_WORD and word.isalpha() else ()
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[word] = cached
        return cached

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.stopped or getattr(t, "kind", "word") != "word":
                yield t
                continue
            parts = self.parts(t.text)
            if not parts:
                yield t
            elif t.mode == "query":
                if not getattr(t, "lone", False):
                    yield t
                    continue
                for p in parts:
                    t.text, t.kind = p, "part"
                    yield t
            else:
                yield t
                for p in parts:
                    t.text, t.kind = p, "part"
                    yield t
