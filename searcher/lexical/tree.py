"""A parsed whoosh query as a small tree of plain nodes, for scorers that are not whoosh's.

The lexical arm's vector scorer (searcher.lexical.scorer) and the PostgreSQL backend
(searcher.backends.postgres.bm25) both evaluate this tree with whoosh's semantics:

| node       | matches                          | score                                   |
| ---------- | -------------------------------- | --------------------------------------- |
| `leaf`     | sections holding (field, token)  | BM25F of that token × boost             |
| `phrase`   | the tokens at consecutive places | the sum of its tokens' scores × boost   |
| `and`      | every child                      | the sum of the children × boost         |
| `or`       | any child                        | the matching children's sum × boost (*) |
| `not`      | sections the child misses        | 1.0                                     |
| `andnot`   | a and not b                      | a                                       |
| `andmaybe` | a                                | a + b where b matches                   |
| `require`  | a and b                          | a                                       |
| `pattern`  | a prefix/wildcard's expansions   | their OR (no coordination)              |

(*) then whoosh's coordination bonus when `scale` is set. A one-child compound is its child:
whoosh ignores such a compound's boost and scale too.
"""

from __future__ import annotations

from dataclasses import dataclass

from searcher.errors import BadQueryError


class UnsupportedQuery(BadQueryError):
    """A whoosh query type the tree cannot express (ranges, fuzzy terms, `*:*`, …)."""


@dataclass(frozen=True, slots=True)
class Node:
    """A query node (see the module table); `null` matches nothing."""

    op: str
    children: tuple[Node, ...] = ()
    boost: float = 1.0
    scale: float | None = None
    field: str = ""  # leaf, phrase and pattern
    text: str = ""  # token (leaf), prefix or wildcard pattern (pattern)
    how: str = ""  # pattern: "prefix" | "wildcard"
    leaf: int = -1  # leaf: its column once numbered (PostgreSQL)
    slop: int = 1  # phrase: whoosh's allowed distance between consecutive tokens


NULL = Node("null")


def from_whoosh(q) -> Node:
    """Our node tree for a parsed whoosh query; other query types raise UnsupportedQuery."""
    from whoosh import query as wq

    kind = type(q)
    if kind is wq.Term:
        return Node("leaf", field=q.fieldname, text=_text(q.text), boost=q.boost)
    if kind is wq.Phrase:
        words = tuple(Node("leaf", field=q.fieldname, text=_text(w)) for w in q.words)
        if len(words) == 1:  # whoosh's parser makes a Term of a one-word phrase; be safe
            return Node("leaf", field=q.fieldname, text=words[0].text, boost=q.boost)
        return Node("phrase", words, boost=q.boost, field=q.fieldname, slop=q.slop)
    if kind in (wq.Prefix, wq.Wildcard):
        return Node("pattern", field=q.fieldname, text=_text(q.text), boost=q.boost,
                    how="prefix" if kind is wq.Prefix else "wildcard")
    if kind in (wq.And, wq.Or):
        subs = q.subqueries
        if not subs:
            return NULL
        if len(subs) == 1:
            return from_whoosh(subs[0])
        return Node("and" if kind is wq.And else "or", tuple(from_whoosh(s) for s in subs),
                    boost=q.boost, scale=getattr(q, "scale", None))
    if kind is wq.Not:
        return Node("not", (from_whoosh(q.query),), boost=q.boost)
    binary = {wq.AndNot: "andnot", wq.AndMaybe: "andmaybe", wq.Require: "require"}
    if kind in binary:
        return Node(binary[kind], (from_whoosh(q.a), from_whoosh(q.b)))
    if q is wq.NullQuery or kind is type(wq.NullQuery):
        return NULL
    raise UnsupportedQuery(f"cannot run {kind.__name__} queries ({q})")


def walk(node: Node):
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
