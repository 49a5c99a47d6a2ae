"""Find a term in raw text as written, in any inflection, or inside compounds (with offsets).

Shared by `mentions` (exact counts), `trend` and search-hit highlighting. A term is a sequence of
words (letter/digit runs; a decimal comma stays inside: `2,43`) with the separators as written
between them; whitespace runs match any whitespace run and dashes match any dash, so
`Dnr 2022-00295` is found across a line break and `Balans-22` inside `*Balans-22,`. Words are
always whole: `22` is not found inside `Balans-220`.

| form        | a text word matches a term word when                                        |
| ----------- | --------------------------------------------------------------------------- |
| `exact`     | it is spelled the same                                                      |
| `inflected` | it is in the word's inflection family (searcher.analysis.morphology); words |
|             | the dictionary does not know: their Snowball stems (less genitive -s) agree |
| `compound`  | inflected, or one of its compound parts (searcher.analysis) is in the family |

With `variants` (what `mentions` does outside `exact`, and so by default): a text word is
read as its letter and digit runs (`MSB1629` holds `MSB`), words of a term written apart,
hyphenated or joined are one name (`AB CD` = `AB-CD`, `KS-2024-00123` = `KS 2024-00123`,
`Balans-22` = `Balans 22` = `Balans22`), and a genitive after the last word counts with it
(`KPMG:s`, `MSB´s`, `AB-CD:s`).

Case (`DEFAULT_CASE` is `Case.ignore`: what a reader counts; `Case.smart`, like ripgrep's
--smart-case, is TermMatcher's own default): a term with a capital letter
matches case-sensitively (`KPMG`, `Balans-22`: the capitals must be there), a lowercase term
matches any case. A part inside a compound has no case of its own, so compound parts are compared
without case under `smart`; `Case.sensitive` and `Case.ignore` force one way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from searcher.analysis import split_compound
from searcher.analysis.lexicon import load_lexicon
from searcher.analysis.morphology import family
from searcher.analysis.stemming import SwedishStemmer
from searcher.errors import BadQueryError
from searcher.settings import choices

WORD_RE = re.compile(r"(?:[^\W_]|(?<=[0-9]),(?=[0-9]))+")
#: A word's letter run or digit run: outside `exact`, `MSB1629` holds the word `MSB` and
#: `Balans22` is `Balans-22` written joined.
PIECE_RE = re.compile(r"[^\W\d_]+|[0-9]+(?:,[0-9]+)*")
_PART_RE = re.compile(r"[0-9]+(?:,[0-9]+)?|[^\W\d_]+")  # as the index tokenizer splits words
_GENITIVE_RE = re.compile(  # KPMG:s, EU:n, MSB´s, Balans-22's
    r"(?::(?:s|n|en|et|er|erna|ar|arna|na)|['’´]s)(?![^\W_])")
_DASHES = "-–—‐‑"
_MIN_PART = 3  # letters a compound part must have in the lexicon fallback
LEAD_REACH = 40  # characters searched back for a term's leading punctuation (`§ 259`)


class Form(str, Enum):
    """Which spellings of a term count (see the module docstring)."""

    exact = "exact"
    inflected = "inflected"
    compound = "compound"


class Case(str, Enum):
    """How letter case is compared (see the module docstring)."""

    smart = "smart"
    sensitive = "sensitive"
    ignore = "ignore"


#: What `mentions` and `trend` count unless told otherwise: what a reader would count.
DEFAULT_FORM = Form.inflected
DEFAULT_CASE = Case.ignore


@dataclass(frozen=True, slots=True)
class Match:
    """One occurrence: the matched words [start, end) and the piece that matched [hit_start,
    hit_end) (a compound part, else the same span)."""

    start: int
    end: int
    hit_start: int
    hit_end: int


@lru_cache(maxsize=1)
def _stemmer() -> SwedishStemmer:
    return SwedishStemmer()


def _fallback_stem(word: str) -> str:
    """Snowball stem less a genitive -s, for words the dictionary does not know (KPMG, KPMGs)."""
    w = word.lower()
    if len(w) > 3 and w.endswith("s"):
        w = w[:-1]
    return _stemmer().stem(w)


def _sep_pattern(sep: str) -> str:
    out = []
    for chunk in re.findall(r"\s+|[" + _DASHES + r"]|.", sep, flags=re.S):
        if chunk.isspace():
            out.append(r"\s+")
        elif chunk in _DASHES:
            out.append("[" + _DASHES + "]")
        else:
            out.append(re.escape(chunk))
    return "".join(out)


def _variant_sep_pattern(sep: str) -> str:
    """With variants, words written apart, hyphenated or joined are one name: `AB CD` = `AB-CD`,
    `KS-2024-00123` = `KS 2024-00123`, `Balans-22` = `Balans 22` = `Balans22`."""
    if all(c.isspace() or c in _DASHES for c in sep):
        return r"[\s" + re.escape(_DASHES) + "]*"
    return _sep_pattern(sep)


class _Word:
    """One word of a term and how a text word is tested against it."""

    def __init__(self, text: str, form: Form, case_sensitive: bool, part_case: bool):
        self.text = text
        self.lower = text.lower()
        self.form = form if text.isalpha() else Form.exact  # numbers are compared as written
        self.case_sensitive = case_sensitive
        self.part_case = part_case
        self.family = family(self.lower) if self.form != Form.exact else None
        self.stem = _fallback_stem(self.lower) if self.family is None else ""
        forms = sorted(self.family) if self.family else [self.stem or self.lower]
        if self.form == Form.compound and self.family:
            forms.append(_stemmer().stem(self.lower))  # hjärta → hjärt: linking forms drop -a
        self.core = os.path.commonprefix(forms) or self.lower

    def _case_ok(self, surface: str, case_sensitive: bool) -> bool:
        if not case_sensitive:
            return True
        k = len(os.path.commonprefix([surface.lower(), self.lower]))
        return surface[:k] == self.text[:k]

    def _in_family(self, w: str) -> bool:
        if self.family is not None:
            return w in self.family
        return _fallback_stem(w) == self.stem

    def test(self, surface: str) -> tuple[int, int] | None:
        """(start, end) of the matching piece inside `surface`, or None."""
        w = surface.lower()
        if self.form == Form.exact:
            ok = w == self.lower and self._case_ok(surface, self.case_sensitive)
            return (0, len(surface)) if ok else None
        if self._in_family(w) and self._case_ok(surface, self.case_sensitive):
            return (0, len(surface))
        if self.form != Form.compound or not w.isalpha():
            return None
        for start, end, root in _parts(w):
            if self._in_family(root) and self._case_ok(surface[start:], self.part_case):
                return (start, end)
        return self._lexicon_fallback(w, surface)

    def _lexicon_fallback(self, w: str, surface: str) -> tuple[int, int] | None:
        """A first or last part that the splitter rejected, checked against the lexicon."""
        if _parts(w):
            return None
        lex = load_lexicon()
        for f in sorted(self.family or {self.lower}, key=len, reverse=True):
            if len(f) < _MIN_PART or len(w) - len(f) < _MIN_PART:
                continue
            if w.endswith(f) and w[: len(w) - len(f)] in lex.begin:
                start = len(w) - len(f)
                if self._case_ok(surface[start:], self.part_case):
                    return (start, len(w))
            rest = w[len(f):]
            if w.startswith(f) and (rest in lex.end or (rest[:1] == "s" and rest[1:] in lex.end)):
                if self._case_ok(surface, self.part_case):
                    return (0, len(f))
        return None

    def index_clause(self) -> tuple[tuple[str, str], ...]:
        """Alternatives for the lexical pre-filter: ("term"|"prefix"|"contains", lowercase)."""
        if self.form == Form.exact:
            return tuple(("term", p) for p in _PART_RE.findall(self.lower))
        if self.form == Form.compound:
            return (("contains", self.core),)
        if self.family is not None:
            return tuple(("term", f) for f in sorted(self.family) if f.isalpha())
        return (("prefix", self.stem),)


@lru_cache(maxsize=65536)
def _parts(word: str, depth: int = 2) -> tuple[tuple[int, int, str], ...]:
    """(start, end, root) of `word`'s compound parts and, one level down, of their parts."""
    split = split_compound(word)
    if not split:
        return ()
    out: list[tuple[int, int, str]] = []
    pos = 0
    for surface, root in split:
        start, end = pos, min(pos + len(surface), len(word))
        # mark the root without its linking letter: placering|s|kostnader
        out.append((start, start + len(root) if surface.startswith(root) else end, root))
        if depth > 1:
            out.extend((start + s, min(start + e, end), r) for s, e, r in _parts(root, depth - 1))
        pos = end
    return tuple(out)


class TermMatcher:
    """Compiled search for one term in one form; `finditer(text)` yields Matches in order."""

    def __init__(self, term: str, form: Form | str = Form.exact, case: Case | str = Case.smart,
                 *, variants: bool = False):
        self.term = term.strip()
        self.form = _enum(Form, form, "form")
        self.case = _enum(Case, case, "case")
        exact = self.form == Form.exact or not variants
        self.variants = not exact
        self._word_re = WORD_RE if exact else PIECE_RE
        words = list(self._word_re.finditer(self.term))
        if not words:
            raise BadQueryError(f"term {term!r} has no letters or digits to look for")
        has_capital = any(c.isupper() for c in self.term)
        sensitive = self.case == Case.sensitive or (self.case == Case.smart and has_capital)
        part_case = self.case == Case.sensitive
        self.words = [_Word(m.group(), self.form, sensitive, part_case) for m in words]
        self._starts = [m.start() for m in words]
        lead, trail = self.term[: words[0].start()], self.term[words[-1].end():]
        self._lead = re.compile(_sep_pattern(lead) + r"\Z") if lead else None
        self._trail = re.compile(_sep_pattern(trail)) if trail else None
        sep_of = _sep_pattern if exact else _variant_sep_pattern
        self._seps = [re.compile(sep_of(self.term[a.end(): b.start()]))
                      for a, b in zip(words, words[1:], strict=False)]
        first = self.words[0]
        needle = re.escape(first.lower if first.form == Form.exact else first.core)
        if first.form != Form.compound:
            before = r"(?<![^\W_])(?<![0-9],)"  # a whole word
            if self.variants:  # a whole letter run or digit run
                before = r"(?<![^\W\d_])" if first.text[0].isalpha() else r"(?<![0-9])(?<![0-9],)"
            needle = before + needle
        self._needle = re.compile(needle, re.IGNORECASE)

    def index_clauses(self) -> list[tuple[tuple[str, str], ...]]:
        """Groups that every text holding the term satisfies (each group: any alternative)."""
        clauses = []
        for i, w in enumerate(self.words):
            after_colon = i > 0 and self.term[: self._starts[i]].endswith(":")
            glue = i + 1 < len(self.words) and self._glued(i, w.text + "x")  # may be glued on
            if not (after_colon and w.text.isalpha() and len(w.text) <= 4) and not glue:
                clauses.append(w.index_clause())  # (KPMG:s → kpmg)
        return [c for c in clauses if c]

    def finditer(self, text: str) -> Iterator[Match]:
        pos = 0
        for m in self._needle.finditer(text):
            start = (_piece_start if self.variants else _word_start)(text, m.start())
            if start < pos:
                continue
            found = self._match_at(text, start)
            if found is not None:
                pos = found.end
                yield found

    def _glued(self, i: int, surface: str) -> bool:
        """Word i, as typed, opens `surface` and the next word may follow with no separator
        (with variants: `Barn- och` written `barnoch` by a converter, `AB CD` as `ABCD`)."""
        return (self.variants and i + 1 < len(self.words)
                and self._seps[i].pattern == _variant_sep_pattern(" ")
                and _starts_with(surface, self.words[i]))

    def _match_at(self, text: str, start: int) -> Match | None:
        at = word_start = start
        if self._lead is not None:
            lead = self._lead.search(text, max(0, start - LEAD_REACH), start)
            if lead is None:
                return None
            start = lead.start()
        hit: tuple[int, int] | None = None
        for i, word in enumerate(self.words):
            if i:
                sep = self._seps[i - 1].match(text, at)
                if sep is None:
                    return None
                at = sep.end()
            m = self._word_re.match(text, at)
            if m is None:
                return None
            piece = word.test(m.group())
            word_end = m.end()
            if piece is None and self._glued(i, m.group()):
                piece, word_end = (0, len(word.text)), at + len(word.text)  # `barnoch utb…`
            if piece is None:
                return None
            if hit is None:
                hit = (at + piece[0], at + piece[1])
            at = word_end
        end = at
        if self._trail is not None:
            t = self._trail.match(text, end)
            if t is None:
                return None
            end = t.end()
        elif self.form != Form.exact:
            g = _GENITIVE_RE.match(text, end)
            end = g.end() if g else end
        if len(self.words) > 1 or hit is None or hit == (word_start, at):
            hit = (start, end)  # the whole match: lead, genitive and all
        return Match(start, end, hit[0], hit[1])


def _starts_with(surface: str, word: _Word) -> bool:
    n = len(word.text)
    return len(surface) > n and surface[:n].lower() == word.lower and word._case_ok(
        surface[:n], word.case_sensitive)


def _piece_start(text: str, pos: int) -> int:
    """Start of the letter run or digit run (decimal comma inside) that holds `pos`."""
    if text[pos].isdigit():
        while pos > 0 and (text[pos - 1].isdigit() or (
                text[pos - 1] == "," and pos > 1 and text[pos - 2].isdigit())):
            pos -= 1
        return pos
    while pos > 0 and text[pos - 1].isalpha():
        pos -= 1
    return pos


def _word_start(text: str, pos: int) -> int:
    while pos > 0 and (text[pos - 1].isalnum() or (
            text[pos - 1] == "," and pos > 1 and text[pos - 2].isdigit() and text[pos].isdigit())):
        pos -= 1
    return pos


def _enum(enum: type[Enum], value: object, what: str) -> Enum:
    try:
        return enum(value)
    except ValueError:
        raise BadQueryError(f"unknown {what} {value!r}; choose from {choices(enum)}") from None
