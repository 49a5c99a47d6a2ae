"""The query language: phrases, AND/OR/NOT (OCH/ELLER/INTE), prefixes, parentheses, filters.

    parse_query('"psykoterapeutiskt team" OCH avveckl* typ:rapport datum:2020..2022')

gives the text for the lexical arm in whoosh syntax (`"psykoterapeutiskt team" AND avveckl*`),
the text for the semantic arm (operators, negated parts and filters removed), and the filters as
the dict that engine.parse_filters takes ({"typ": "rapport", "year": "2020..2022"}).

| syntax                        | meaning                                                        |
| ----------------------------- | -------------------------------------------------------------- |
| `"tillstånd för servering"`   | phrase                                                         |
| `a AND b`, `a OCH b`          | both (`OR`/`ELLER`: either; `NOT`/`INTE`: not); upper case only |
| `( … )`                       | grouping                                                       |
| `kompetens*`                  | prefix                                                         |
| `field:value`, `field:"a b"`  | filter (FIELDS); `datum:`/`år:` take 2020, 2019-2020, -2021  |

A `name:` is a filter only when `name` is lower case (`KPMG:s`, `SFS 2001:453`, `10:00` and
`https://…` stay words); an unknown lower-case name is an error. Malformed input raises a one-line
BadQueryError that names the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from enum import Enum

from searcher.errors import BadQueryError
from searcher.query.filters import FILTER_FIELDS, parse_date_range

YEAR_FIELDS = ("datum", "år", "year", "date")
FIELDS: tuple[str, ...] = (*FILTER_FIELDS, *YEAR_FIELDS)
OPERATORS = {"AND": "AND", "OCH": "AND", "OR": "OR", "ELLER": "OR", "NOT": "NOT", "INTE": "NOT"}
_QUOTES = '"“”„'
_LEXER = re.compile(
    r"(?P<space>\s+)"
    rf"|(?P<phrase>[{_QUOTES}][^{_QUOTES}]*(?:[{_QUOTES}]|\Z))"
    r"|(?P<lparen>\()|(?P<rparen>\))"
    rf"|(?P<field>(?<![^\s(])[^\W\d_]+:(?!//)(?:[{_QUOTES}][^{_QUOTES}]*(?:[{_QUOTES}]|\Z)"
    rf"|[^\s(){_QUOTES}]*))"
    rf"|(?P<word>[^\s(){_QUOTES}]+)"
)
_WHOOSH_SPECIAL = re.compile(r"[\^\[\]{}~'<>\\]")  # boost, ranges, single quotes, escapes
#: whoosh's operator words: a word that becomes one once its special characters are gone
#: (`^NOT`) is lowercased, so it stays a word (the analyzers lowercase it anyway).
_WHOOSH_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})


class Kind(str, Enum):
    """Token kinds of the query lexer."""

    word = "word"
    phrase = "phrase"
    lparen = "lparen"
    rparen = "rparen"
    op = "op"
    filter = "filter"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # word, phrase content, operator (AND/OR/NOT), or filter value
    start: int  # offsets in the query
    end: int
    name: str = ""  # the filter's field name


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query split into what each arm needs."""

    query: str
    text_for_lexical: str  # whoosh syntax; filters removed
    text_for_semantic: str  # plain words: no operators, no negated parts, no filters
    filters: dict[str, str]  # keys as engine.parse_filters takes them (year for datum/år)
    phrases: tuple[str, ...]  # positive phrases
    terms: tuple[str, ...]  # positive words (prefixes keep their `*`)
    negated: tuple[str, ...]  # words and phrases under NOT
    has_operators: bool

    def is_empty(self) -> bool:
        """True when only filters were given (nothing to rank by)."""
        return not self.text_for_lexical.strip()

    def corrected(self, corrections: Mapping[str, str], text: str) -> ParsedQuery:
        """This query as really searched: each corrected word (any case) replaced in the
        positive words and phrases, `text` the corrected query for display. No re-parse."""
        if not corrections:
            return self

        def fix(words: str) -> str:
            return " ".join(corrections.get(w.lower(), w) for w in words.split(" "))

        return replace(self, query=text, terms=tuple(fix(w) for w in self.terms),
                       phrases=tuple(fix(ph) for ph in self.phrases),
                       text_for_semantic=fix(self.text_for_semantic))


def tokenize(query: str) -> Iterator[Token]:
    """The query's tokens; raises BadQueryError for an unbalanced quote or a bad field."""
    for m in _LEXER.finditer(query):
        kind, text = m.lastgroup, m.group()
        if kind == "space":
            continue
        if kind == "phrase":
            if len(text) < 2 or text[-1] not in _QUOTES:
                _fail(query, "unbalanced quote")
            yield Token(Kind.phrase, text[1:-1].strip(), m.start(), m.end())
        elif kind == "field":
            name, _, value = text.partition(":")
            if not name.islower() or (not value and name not in FIELDS):
                # KPMG:s, EU:s (a case ending); "obs:" ending a word in prose
                yield Token(Kind.word, text, m.start(), m.end())
                continue
            yield _filter_token(query, name, value, m.start(), m.end())
        elif kind == "word" and text in OPERATORS:
            yield Token(Kind.op, OPERATORS[text], m.start(), m.end())
        else:
            yield Token(Kind(kind), text, m.start(), m.end())


def parse_query(query: str) -> ParsedQuery:
    """Check the syntax and split `query` (see the module docstring)."""
    if not query or not query.strip():
        raise BadQueryError("empty query")
    tokens = list(tokenize(query))
    _check(query, tokens)
    filters: dict[str, str] = {}
    for t in tokens:
        if t.kind == Kind.filter:
            key = "year" if t.name in YEAR_FIELDS else t.name
            if key in filters:
                _fail(query, f"filter {t.name}: given twice")
            filters[key] = t.text
    kept = _drop_filters(query, tokens)
    positive, negated = _polarity(kept)
    lexical = _render(kept)
    semantic = " ".join(t.text.replace("*", "") for t in positive if t.text.strip("*"))
    return ParsedQuery(
        query=query,
        text_for_lexical=lexical,
        text_for_semantic=" ".join(semantic.split()),
        filters=filters,
        phrases=tuple(t.text for t in positive if t.kind == Kind.phrase and t.text),
        terms=tuple(t.text for t in positive if t.kind == Kind.word),
        negated=tuple(t.text for t in negated),
        has_operators=any(t.kind == Kind.op for t in kept),
    )


def _fail(query: str, why: str) -> None:
    raise BadQueryError(f"bad query {query!r}: {why}")


def _filter_token(query: str, name: str, value: str, start: int, end: int) -> Token:
    if name not in FIELDS:
        _fail(query, f"unknown field {name}:; use one of {', '.join(FIELDS)}")
    if value and value[0] in _QUOTES:
        if len(value) < 2 or value[-1] not in _QUOTES:
            _fail(query, "unbalanced quote")
        value = value[1:-1]
    value = value.strip()
    if not value:
        _fail(query, f"field {name}: needs a value, e.g. {name}:{_example(name)}")
    if name in YEAR_FIELDS:
        try:
            parse_date_range(value)
        except BadQueryError as e:
            _fail(query, f"{name}:{value} is not a year or range ({e})")
    return Token(Kind.filter, value, start, end, name)


def _example(name: str) -> str:
    return "2020..2022" if name in YEAR_FIELDS else {"dnr": "2022-00295", "paragraf": "259",
                                                     "typ": "protokoll"}.get(name, "Växjö")


_STARTS = (Kind.word, Kind.phrase, Kind.lparen, Kind.filter)  # what may follow an operator
_ENDS = (Kind.word, Kind.phrase, Kind.rparen, Kind.filter)  # what may precede AND/OR or ')'


def _check(query: str, tokens: list[Token]) -> None:
    """Parentheses balance; AND/OR have operands on both sides, NOT and '(' one after."""
    depth = 0
    for i, t in enumerate(tokens):
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if t.kind == Kind.word and "*" in t.text and (
                "*" in t.text.rstrip("*") or len(t.text.rstrip("*")) < 2):
            _fail(query, f"{t.text!r}: only prefixes of 2+ letters, e.g. kompetens*")
        if t.kind == Kind.op and t.text != "NOT" and (prev is None or prev.kind not in _ENDS):
            _fail(query, f"{t.text} needs something before it")
        if t.kind == Kind.op and (nxt is None or not (nxt.kind in _STARTS or (
                nxt.kind == Kind.op and nxt.text == "NOT" and t.text != "NOT"))):
            _fail(query, f"{t.text} needs something after it")
        if t.kind == Kind.op and t.text == "NOT" and nxt.kind == Kind.filter:
            _fail(query, f"a filter cannot be negated: NOT {nxt.name}:{nxt.text}")
        if t.kind == Kind.lparen:
            depth += 1
            if nxt is not None and nxt.kind == Kind.rparen:
                _fail(query, "empty parentheses '()'")
        if t.kind == Kind.rparen:
            depth -= 1
            if depth < 0:
                _fail(query, "unbalanced parentheses: ')' without '('")
    if depth > 0:
        _fail(query, "unbalanced parentheses: '(' without ')'")


def _drop_filters(query: str, tokens: list[Token]) -> list[Token]:
    """Remove filters with the operator that tied them in, then emptied parentheses."""
    out: list[Token] = []
    skip_op = False
    for t in tokens:
        if t.kind == Kind.filter:
            if out and out[-1].kind == Kind.op:
                out.pop()  # "a AND typ:x" → "a"
            elif not out or out[-1].kind == Kind.lparen:
                skip_op = True  # "typ:x AND a" → "a"
            continue
        if skip_op and t.kind == Kind.op and t.text != "NOT":
            skip_op = False
            continue
        skip_op = False
        out.append(t)
    changed = True
    while changed:  # "(typ:x)" → "()" → ""
        changed = False
        for i in range(len(out) - 1):
            if out[i].kind == Kind.lparen and out[i + 1].kind == Kind.rparen:
                del out[i:i + 2]
                changed = True
                break
    return out


def _unit_end(tokens: list[Token], i: int) -> int:
    """Index just after the operand starting at i: one word/phrase, or a whole ( … ) group."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += {Kind.lparen: 1, Kind.rparen: -1}.get(tokens[j].kind, 0)
        if depth == 0:
            return j + 1
    return len(tokens)


def _polarity(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """(positive, negated) words and phrases; NOT applies to the next operand or group."""
    positive: list[Token] = []
    negated: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == Kind.op and t.text == "NOT" and i + 1 < len(tokens):
            end = _unit_end(tokens, i + 1)
            negated.extend(u for u in tokens[i + 1:end] if u.kind in (Kind.word, Kind.phrase))
            i = end
            continue
        if t.kind in (Kind.word, Kind.phrase):
            positive.append(t)
        i += 1
    return positive, negated


def _render(tokens: list[Token]) -> str:
    """Whoosh syntax for one level: `(positive part) ANDNOT (neg1 OR neg2)`.

    whoosh joins bare words with OR, so `a NOT b` alone would mean `a OR (NOT b)`; negations
    are pulled out of their level instead, with the operator that tied them in.
    """
    items: list[tuple[str, str]] = []  # ("op" | "pos" | "neg", text)
    negate = False
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == Kind.op and t.text == "NOT":
            negate = True
            i += 1
            continue
        if t.kind == Kind.op:
            items.append(("op", t.text))
            i += 1
            continue
        if t.kind == Kind.lparen:
            end = _unit_end(tokens, i)
            inner = _render(tokens[i + 1:end - 1])
            text = f"({inner})" if inner else ""
            i = end
        else:
            text = _unit_text(t)
            i += 1
        if text:
            items.append(("neg" if negate else "pos", text))
        elif items and items[-1][0] == "op":
            items.pop()
        negate = False
    out: list[tuple[str, str]] = []
    negs: list[str] = []
    for kind, text in items:
        if kind == "neg":
            negs.append(text)
            if out and out[-1][0] == "op":
                out.pop()  # "a AND NOT b OR c" → "a OR c" (minus b)
            continue
        if kind == "op" and (not out or out[-1][0] == "op"):
            continue  # an operator whose left side was removed
        out.append((kind, text))
    while out and out[-1][0] == "op":
        out.pop()
    positive = " ".join(text for _, text in out)
    if not negs:
        return positive
    negative = negs[0] if len(negs) == 1 else "(" + " OR ".join(negs) + ")"
    return f"({positive}) ANDNOT {negative}" if positive else f"NOT {negative}"


def _unit_text(t: Token) -> str:
    if t.kind == Kind.phrase:
        inner = " ".join(_WHOOSH_SPECIAL.sub(" ", t.text).split())
        return f'"{inner}"' if inner else ""
    if "*" in t.text:
        return _WHOOSH_SPECIAL.sub("", t.text)
    words = _WHOOSH_SPECIAL.sub(" ", t.text).split()
    return " ".join(w.lower() if w in _WHOOSH_OPERATOR_WORDS else w for w in words)
