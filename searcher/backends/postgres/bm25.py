"""BM25F in SQL: whoosh's parse of the query, scored the way whoosh's matchers score it.

The query is parsed by the same whoosh parser as searcher.lexical.index (same analyzers, fields,
boosts and OR coordination), turned into searcher.lexical.tree's plain nodes, and compiled into
one SQL expression over per-section leaf scores. A leaf is one (field, token) of our lexicon
scored with whoosh's BM25F:

    score = boost · idf · weight·(K1+1) / (weight + K1·(1 − B + B·flen/avgfl))
    idf   = ln(N / (df + 1)) + 1

(weight: occurrences × field boost; flen: whoosh's one-byte field length). Compound nodes score
like whoosh's matchers: AND and OR sum their matching children, NOT matches with score 1, and
the top-level OR's coordination bonus ("SQR", whoosh CoordMatcher) rewards matching more terms.

Not supported, or approximated (documented in docs/postgres.md): phrases are matched as AND of
their words (positions are not stored); prefix and wildcard terms expand to the lexicon's terms
and are scored as their OR; ranges, fuzzy terms and `*:*` raise BadQueryError.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from searcher.errors import BadQueryError
from searcher.lexical.schema import BM25_B, BM25_K1, FIELD_BOOSTS, OR_SCALE, build_schema
from searcher.lexical.tree import NULL, Node, UnsupportedQuery, walk
from searcher.lexical.tree import from_whoosh as tree_from_whoosh


@functools.cache
def _parser():
    from whoosh.qparser import MultifieldParser, OrGroup
    from whoosh.qparser.plugins import FieldsPlugin

    parser = MultifieldParser(list(FIELD_BOOSTS), build_schema(), fieldboosts=FIELD_BOOSTS,
                              group=OrGroup.factory(OR_SCALE))
    parser.remove_plugin_class(FieldsPlugin)  # field queries are filters, as in lexical.py
    return parser


def parse(query: str):
    """The whoosh query tree searcher.lexical.index would search for this string."""
    q = query.strip()
    if not q:
        raise BadQueryError("empty query")
    try:
        return _parser().parse(q)
    except Exception as e:  # whoosh raises several unrelated types for bad syntax
        raise BadQueryError(f"cannot parse query {query!r}: {e}") from None


def query_terms(query: str) -> list[tuple[str, str]]:
    """(field, token) pairs the parsed query looks for (as LexicalIndex.query_terms)."""
    q = parse(query)
    return sorted({(f, t.decode() if isinstance(t, bytes) else t) for f, t in q.iter_all_terms()})


def from_whoosh(q) -> Node:
    """Our node tree for a parsed whoosh query (searcher.lexical.tree), phrases as AND of their
    words; unsupported query types are a BadQueryError."""
    try:
        return _phrases_as_and(tree_from_whoosh(q))
    except UnsupportedQuery as e:
        raise BadQueryError(f"the PostgreSQL backend {e}; use words, \"phrases\", AND/OR/NOT, "
                            "prefix* or wild?cards") from None


def _phrases_as_and(n: Node) -> Node:
    """Positions are not stored here: a phrase matches its words in any order."""
    if n.op == "phrase":
        return Node("and", n.children, boost=n.boost)
    if not n.children:
        return n
    return replace(n, children=tuple(_phrases_as_and(c) for c in n.children))


def leaves_and_patterns(node: Node) -> tuple[list[tuple[str, str]], list[Node]]:
    """Every (field, token) leaf and every pattern node in the tree (for one lookup)."""
    nodes = list(walk(node))
    return ([(n.field, n.text) for n in nodes if n.op == "leaf"],
            [n for n in nodes if n.op == "pattern"])


def resolve(node: Node, known: set[tuple[str, str]],
            expansions: dict[tuple[str, str, str], list[str]]) -> tuple[Node, list[Node]]:
    """Leaves of unknown terms become null, patterns their expansions (an OR, as whoosh's
    MultiTerm does); known leaves are numbered. Returns the new tree and its leaves in order."""
    leaves: list[Node] = []

    def walk(n: Node) -> Node:
        if n.op == "leaf":
            if (n.field, n.text) not in known:
                return NULL
            leaf = Node("leaf", field=n.field, text=n.text, boost=n.boost, leaf=len(leaves))
            leaves.append(leaf)
            return leaf
        if n.op == "pattern":
            words = expansions.get((n.field, n.how, n.text), [])
            if not words:
                return NULL
            if len(words) == 1:  # whoosh: a lone expansion is a plain, unboosted term
                return walk(Node("leaf", field=n.field, text=words[0]))
            return Node("or", tuple(walk(Node("leaf", field=n.field, text=w)) for w in words),
                        boost=n.boost)
        return Node(n.op, tuple(walk(c) for c in n.children), n.boost, n.scale)

    return walk(node), leaves


@dataclass(frozen=True, slots=True)
class Compiled:
    match: str  # SQL boolean over a.s0 … a.sN
    score: str  # SQL float
    count: str  # SQL int: matching leaves (whoosh's `matching_terms`)
    terms: int  # leaves in the subtree (whoosh's `term_matchers`)
    is_leaf: bool = False


def compile_node(n: Node) -> Compiled:
    """SQL for a resolved node over the per-section leaf score columns a.s<i> (NULL: absent)."""
    if n.op == "leaf":
        col = f"a.s{n.leaf}"
        return Compiled(f"({col} IS NOT NULL)", f"coalesce({col}, 0)",
                        f"({col} IS NOT NULL)::int", 1, is_leaf=True)
    if n.op == "null":
        return Compiled("FALSE", "0", "0", 0)
    cs = [compile_node(c) for c in n.children]
    terms = sum(c.terms for c in cs)
    if n.op == "and":
        return Compiled(_all(c.match for c in cs), _boosted(_sum(c.score for c in cs), n.boost),
                        _sum(c.count for c in cs), terms)
    if n.op == "or":
        score = _boosted(_sum(_when(c, c.score) for c in cs), n.boost)
        count = _sum(_when(c, c.count) for c in cs)
        if n.scale and terms:
            score = _coordinated(score, count, terms, n.scale)
        return Compiled("(" + " OR ".join(c.match for c in cs) + ")", score, count, terms)
    if n.op == "not":
        return Compiled(f"(NOT {cs[0].match})", "1.0", "0", terms)  # InverseMatcher's weight
    a, b = cs
    if n.op == "andnot":
        return Compiled(f"({a.match} AND NOT {b.match})", a.score, a.count, terms)
    if n.op == "andmaybe":
        return Compiled(a.match, f"({a.score} + {_when(b, b.score)})",
                        f"({a.count} + {_when(b, b.count)})", terms)
    if n.op == "require":
        return Compiled(f"({a.match} AND {b.match})", a.score, f"({a.count} + {b.count})", terms)
    raise BadQueryError(f"cannot compile query node {n.op!r}")


def needs_universe(n: Node) -> bool:
    """True when the node can match a section holding none of its terms (a NOT in an OR)."""
    if n.op in ("leaf", "null", "pattern"):
        return False
    if n.op == "not":
        return True
    if n.op == "or":
        return any(needs_universe(c) for c in n.children)
    if n.op == "and":
        return all(needs_universe(c) for c in n.children)
    if n.op in ("andnot", "andmaybe"):
        return needs_universe(n.children[0])
    return all(needs_universe(c) for c in n.children)  # require


def leaf_params(leaves: list[Node], df: dict[tuple[str, str], int], n_docs: int,
                avg_lengths: dict[str, float]) -> tuple[list[float], list[float], list[float]]:
    """Per leaf: w = boost·idf·(K1+1), c1 = K1·(1−B), c2 = K1·B/avgfl (see the module doc)."""
    import math

    w, c1, c2 = [], [], []
    for leaf in leaves:
        idf = math.log(n_docs / (df[(leaf.field, leaf.text)] + 1)) + 1
        w.append(leaf.boost * idf * (BM25_K1 + 1))
        c1.append(BM25_K1 * (1 - BM25_B))
        c2.append(BM25_K1 * BM25_B / (avg_lengths.get(leaf.field) or 1.0))
    return w, c1, c2


def _sum(parts) -> str:
    parts = list(parts)
    return "(" + " + ".join(parts) + ")" if len(parts) > 1 else parts[0]


def _all(parts) -> str:
    return "(" + " AND ".join(parts) + ")"


def _boosted(expr: str, boost: float) -> str:
    return expr if boost == 1.0 else f"({float(boost)!r} * {expr})"


def _when(c: Compiled, value: str) -> str:
    if c.is_leaf:  # coalesce(…, 0) and the ::int count are 0 when absent already
        return value
    return f"(CASE WHEN {c.match} THEN {value} ELSE 0 END)"


def _coordinated(score: str, count: str, terms: int, scale: float) -> str:
    """whoosh CoordMatcher._sqr: (score + (matching−1)/(T−scale)²) · (T−1)/T."""
    if terms == scale:
        return "0"
    return (f"(({score} + ({count} - 1) / {float((terms - scale) ** 2)!r}) * "
            f"{float((terms - 1) / terms)!r})")
