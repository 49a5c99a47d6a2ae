"""BM25F over whoosh's postings, term at a time with numpy: the lexical arm's scorer.

whoosh scores a query document at a time, a Python method call per posting per matcher; our
query (three scored fields, compound parts, coordination) made that 2.6× as slow as a one-field
whoosh query at 10,000 documents (scripts/bench.py). This scorer reads each query token's
postings a block (≤128 postings) at a time into arrays and evaluates the query tree
(searcher.lexical.tree) with vector operations, and at the top-level OR it prunes with MaxScore:
once the children left cannot lift a document into the top `limit`, they are read only in the
blocks that hold documents which still can. Scores are whoosh's: its idf, average and one-byte
field lengths and boosts, its AND/OR/NOT/phrase semantics and its coordination bonus
(CoordMatcher's SQR); tests/test_lexical_scorer.py checks them against whoosh itself. Prefix and
wildcard queries (and anything else the tree cannot express) stay with whoosh (`Unsupported`).

Deliberate differences, both in whoosh's coordination count (the query's terms, T): whoosh
recounts T when a term's postings run out (its matcher replacement), so a document late in the
index could score 0.0 for a term an earlier one scored for; and in an index of at most 5,000
documents it may unite an OR's postings in an array that cannot tell which of them matched. Here
T is the query's terms that occur in the index, fixed, and every match is counted.

Reading blocks uses whoosh-reloaded 2.7's W3 codec internals, all of them in
searcher.lexical.whoosh_internals; any other postings reader goes through the public matcher
interface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte

from searcher.lexical import whoosh_internals
from searcher.lexical.tree import Node, walk
from searcher.lexical.whoosh_internals import Postings

TIE_CAP = 256  # documents tied at the cut-off beyond `limit` handed on for the id tie-break
#: Postings ids a segment keeps in memory, read whole, for the rest of one query (its top-k, its
#: count, its other arm's candidates and their coverage all read the same terms); past this many
#: (16 bytes each) it forgets them and reads again.
HELD_POSTINGS = 2_000_000
_SPARSE_UNION = 8  # unite by sorting when the postings are under 1/8 of the segment, else dense


class Unsupported(Exception):
    """The tree holds a node this scorer leaves to whoosh (patterns)."""


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """np.unique of a 1-D array without numpy.ma: np.unique imports it on first use (50 ms of
    a cold query's 0.7 s) only to ask whether the array is masked."""
    if len(a) == 0:
        return a.copy()
    s = np.sort(a, kind="stable")
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


@dataclass(slots=True)
class _Matches:
    """One node's matches within one segment: docnums, scores and matching leaves."""

    ids: np.ndarray  # int64, ascending, unique
    scores: np.ndarray  # float64
    counts: np.ndarray  # int64: matching leaves (whoosh's matching_terms)
    terms: int  # leaves of the subtree present in the index (whoosh's term_matchers)


def _empty(terms: int = 0) -> _Matches:
    return _Matches(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64), terms)


class _Segment:
    """One whoosh segment: its reader, docnum offset, live documents and field lengths."""

    def __init__(self, searcher, offset: int):
        self.reader = searcher.reader()
        self.offset = offset
        self.size = self.reader.doc_count_all()
        self.alive: np.ndarray | None = None
        if self.reader.has_deletions():
            dead = [d for d in range(self.size) if self.reader.is_deleted(d)]
            self.alive = np.ones(self.size, bool)
            self.alive[np.asarray(dead, np.int64)] = False
        self._lengths: dict[str, np.ndarray] = {}
        self._whole: dict[tuple[str, bytes], Postings] = {}  # tokens read whole, this query
        self._held = 0
        self._stats: dict[tuple[str, bytes], tuple[float, float] | None] = {}  # this query

    def forget(self) -> None:
        """Drop the postings and term statistics kept from the last query."""
        self._whole.clear()
        self._stats.clear()
        self._held = 0

    def universe(self) -> np.ndarray:
        ids = np.arange(self.size, dtype=np.int64)
        return ids if self.alive is None else ids[self.alive]

    def lengths(self, field: str) -> np.ndarray:
        """Every document's length in `field` as whoosh's scorer sees it (one-byte encoded)."""
        if field not in self._lengths:
            self._lengths[field] = _LENGTH_OF_BYTE[self._length_bytes(field)]
        return self._lengths[field]

    def _length_bytes(self, field: str) -> np.ndarray:
        out = whoosh_internals.length_bytes(self.reader, field, self.size)
        if out is None:  # another codec: the public, slower way
            out = np.zeros(self.size, np.uint8)
            for d in range(self.size):
                out[d] = length_to_byte(self.reader.doc_field_length(d, field, 0) or 0)
        return out

    def postings(self, field: str, btext: bytes, *, values: bool,
                 within: np.ndarray | None = None) -> Postings:
        """A token's postings in this segment (live documents; only those in `within`, a sorted
        docnum array, when given: blocks holding none of them are not decoded). A token read
        whole is kept until `forget`, and later reads of it are cut from that copy."""
        whole = self._whole.get((field, btext))
        if whole is not None and (whole.values is not None or not values):
            return whole if within is None else _restricted(whole, within, values)
        p = self._read(field, btext, values=values, within=within)
        if within is None:
            if whole is not None:  # kept without the positions asked for now
                self._held -= len(whole.ids)
            if self._held + len(p.ids) > HELD_POSTINGS:
                self.forget()
            self._whole[(field, btext)] = p
            self._held += len(p.ids)
        return p

    def _read(self, field: str, btext: bytes, *, values: bool,
              within: np.ndarray | None) -> Postings:
        if (field, btext) not in self.reader:
            return Postings(np.zeros(0, np.int64), np.zeros(0), [] if values else None)
        m = self.reader.postings(field, btext)
        if isinstance(m, FilterMatcher):  # deletions: filtered below with `alive`
            m = m.child
        p = whoosh_internals.read_postings(m, values, within)
        keep = None
        if self.alive is not None and len(p.ids):
            keep = self.alive[p.ids]
        if within is not None and len(p.ids):
            inside = _member(p.ids, within)
            keep = inside if keep is None else keep & inside
        if keep is not None:
            vals = (None if p.values is None
                    else [v for v, k in zip(p.values, keep, strict=True) if k])
            p = Postings(p.ids[keep], p.weights[keep], vals)
        return p

    def upper_bound(self, field: str, btext: bytes, *, B: float, K1: float, idf: float,
                    avgfl: float) -> float:
        """The most one posting of this token can score here: BM25F at the term's greatest
        weight and least field length in this segment (whoosh keeps both per term)."""
        key = (field, btext)
        if key not in self._stats:
            info = self.reader.term_info(field, btext) if key in self.reader else None
            self._stats[key] = None if info is None else (float(info.max_weight()),
                                                         float(info.min_length() or 0))
        if self._stats[key] is None:
            return 0.0
        w, fl = self._stats[key]
        fl = min(fl, float(byte_to_length(length_to_byte(int(fl)))))
        return bm25(idf, w, fl, avgfl, B, K1) * (1 + 1e-6)


def _restricted(p: Postings, within: np.ndarray, values: bool) -> Postings:
    """The postings of `p` whose document is in `within` (sorted docnums)."""
    keep = _member(p.ids, within)
    vals = [v for v, k in zip(p.values, keep, strict=True) if k] if values else None
    return Postings(p.ids[keep], p.weights[keep], vals)


def bm25(idf, tf, fl, avgfl: float, B: float, K1: float):
    """whoosh's BM25FScorer for one field, on numbers or arrays alike (the same operations in
    the same order, so scores equal whoosh's): idf · tf(K1+1) / (tf + K1((1−B) + B·fl/avgfl))."""
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))


def _byte_lengths() -> np.ndarray:
    table = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
    table[0] = 1.0  # no length stored: whoosh's scorer default (never a matching document)
    return table


_LENGTH_OF_BYTE = _byte_lengths()


class VectorScorer:
    """Scores query trees over one whoosh searcher's segments (built once per searcher)."""

    def __init__(self, searcher, *, B: float, K1: float, prune: bool = True):
        self.searcher = searcher
        self.B, self.K1 = B, K1
        self.prune = prune
        self.restricted = 0  # children scored only on the documents that could still make it
        self.schema = searcher.schema
        self.reader = searcher.reader()
        self.segments = [_Segment(s, off) for s, off in searcher.leaf_searchers()]
        self._present: dict[tuple[str, bytes], bool] = {}  # in the index? (this query's terms)

    # -- the public call ------------------------------------------------------------------------
    def top(self, tree: Node, limit: int,
            allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Docnums and scores of the best `limit` matches, plus any tied with the last (up to
        TIE_CAP more, lower docnums first), unordered. `allowed`: a bool mask over docnums."""
        self._check(tree)
        known = self._known(tree)
        ids_parts, score_parts = [], []
        for seg in self.segments:
            mask = None if allowed is None else allowed[seg.offset: seg.offset + seg.size]
            if self.prune and tree.op == "or" and len(tree.children) > 1:
                m = self._pruned_or(tree, seg, known, limit, mask)
            else:
                m = self._eval(tree, seg, known)
            ids, scores = m.ids, m.scores
            if mask is not None and len(ids):
                keep = mask[ids]
                ids, scores = ids[keep], scores[keep]
            ids_parts.append(ids + seg.offset)
            score_parts.append(scores)
        ids = np.concatenate(ids_parts) if ids_parts else np.zeros(0, np.int64)
        scores = np.concatenate(score_parts) if score_parts else np.zeros(0)
        return best(ids, scores, limit)

    def scores_at(self, tree: Node, docnums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The exact scores of those of `docnums` that the tree matches (docnums, scores): the
        tree evaluated only there, so blocks holding none of them are not decoded."""
        self._check(tree)
        known = self._known(tree)
        wanted = sorted_unique(np.asarray(docnums, np.int64))
        ids_parts, score_parts = [np.zeros(0, np.int64)], [np.zeros(0)]
        for seg in self.segments:
            local = wanted[(wanted >= seg.offset) & (wanted < seg.offset + seg.size)] - seg.offset
            if seg.alive is not None:
                local = local[seg.alive[local]]
            if len(local):
                m = self._eval(tree, seg, known, local)
                ids_parts.append(m.ids + seg.offset)
                score_parts.append(m.scores)
        return np.concatenate(ids_parts), np.concatenate(score_parts)

    def every(self, tree: Node) -> tuple[np.ndarray, np.ndarray]:
        """Every document the tree matches (whoosh's docs_for_query), ascending, with its exact
        score (the one `top` gives it): no pruning."""
        self._check(tree)
        known = self._known(tree)
        ids_parts, score_parts = [np.zeros(0, np.int64)], [np.zeros(0)]
        for seg in self.segments:
            m = self._eval(tree, seg, known)
            ids_parts.append(m.ids + seg.offset)
            score_parts.append(m.scores)
        return np.concatenate(ids_parts), np.concatenate(score_parts)

    def holders(self, field: str, text: str) -> np.ndarray:
        """Docnums of the live documents holding the token `text` in `field`, ascending."""
        if field not in self.schema:
            return np.zeros(0, np.int64)
        btext = self._bytes(field, text)
        parts = [np.zeros(0, np.int64)]
        parts += [seg.postings(field, btext, values=False).ids + seg.offset
                  for seg in self.segments]
        return np.concatenate(parts)

    def forget(self) -> None:
        """Drop the postings kept for the last query (see HELD_POSTINGS)."""
        for seg in self.segments:
            seg.forget()
        self._present.clear()

    # -- tree checks ----------------------------------------------------------------------------
    def _check(self, node: Node) -> None:
        if node.op == "pattern":
            raise Unsupported("prefix and wildcard terms are left to whoosh")
        if node.op == "phrase" and not self._has_positions(node.field):
            raise Unsupported(f"field {node.field!r} has no positions")
        if node.op in ("leaf", "phrase") and node.field not in self.schema:
            raise Unsupported(f"no field {node.field!r}")
        for c in node.children:
            self._check(c)

    def _has_positions(self, field: str) -> bool:
        fmt = self.schema[field].format if field in self.schema else None
        return bool(fmt and fmt.supports("positions"))

    def _known(self, tree: Node) -> set[tuple[str, bytes]]:
        """The tree's (field, token) pairs that occur anywhere in the index."""
        out = set()
        for n in walk(tree):
            if n.op == "leaf":
                key = (n.field, self._bytes(n.field, n.text))
                if key not in self._present:
                    self._present[key] = key in self.reader
                if self._present[key]:
                    out.add(key)
        return out

    def _bytes(self, field: str, text: str) -> bytes:
        return self.schema[field].to_bytes(text)

    # -- MaxScore at the top-level OR -----------------------------------------------------------
    def _pruned_or(self, n: Node, seg: _Segment, known: set, limit: int,
                   mask: np.ndarray | None) -> _Matches:
        """The root OR with MaxScore (Turtle & Flood 1995), term at a time: children in order of
        their score bound; once the bound of the children left cannot lift a document that
        matched none so far past the `limit`-th best score yet, only documents that still
        could get there are scored further, and postings blocks without them are not decoded.
        The top `limit` (and its ties) are exact; lower ranks may be missing or partial."""
        kids = sorted(((self._bound(c, seg, known), i, c) for i, c in enumerate(n.children)),
                      key=lambda t: (-t[0], t[1]))
        terms = [self._terms(c, known) for _, _, c in kids]
        total_terms = sum(terms)
        coord = n.scale if n.scale and total_terms else None

        def final(sums, counts):
            out = sums * n.boost if n.boost != 1.0 else sums
            return _coordinated(out, counts, total_terms, coord) if coord else out

        acc = np.zeros(seg.size)
        cnt = np.zeros(seg.size, np.int64)
        hit = np.zeros(seg.size, bool)
        within: np.ndarray | None = None  # None: every document can still make the top
        best = -np.inf  # the best partial score so far: an upper bound of the cut-off
        results: dict[int, _Matches] = {}
        for i, (_, original, child) in enumerate(kids):
            m = self._eval(child, seg, known, within)
            results[original] = m
            self.restricted += within is not None
            acc[m.ids] += m.scores
            cnt[m.ids] += m.counts
            hit[m.ids] = True
            if i == len(kids) - 1:
                break
            bound_left = sum(b for b, _, _ in kids[i + 1:])
            terms_left = sum(terms[i + 1:])
            if within is None:
                if len(m.ids):
                    best = max(best, float(final(acc[m.ids], cnt[m.ids]).max()))
                if final(np.array([bound_left]), np.array([terms_left]))[0] >= best:
                    continue  # the rest alone could still beat anything so far: go on
                ids = np.flatnonzero(hit if mask is None else hit & mask)
            else:
                ids = within
            if len(ids) < limit:
                continue
            theta = _kth_largest(final(acc[ids], cnt[ids]), limit)
            if within is None and final(np.array([bound_left]), np.array([terms_left]))[0] >= theta:
                continue  # a document matching only what is left could still reach the top
            could = final(acc[ids] + bound_left, cnt[ids] + terms_left) >= theta
            within = ids[could]
        ids = np.flatnonzero(hit) if within is None else within
        ids = ids[hit[ids]]
        # Re-add in the query's order: float sums then agree across segments and evaluation
        # orders, so equal scores stay equal (the section-id tie-break depends on it).
        sums = np.zeros(len(ids))
        for i in range(len(kids)):
            m = results[i]
            pos, found = _positions_in(m.ids, ids)
            sums += np.where(found, m.scores[pos] if len(m.ids) else 0.0, 0.0)
        return _Matches(ids, final(sums, cnt[ids]), cnt[ids], total_terms)

    def _bound(self, n: Node, seg: _Segment, known: set) -> float:
        """An upper bound of the node's score for any document of the segment."""
        if n.op == "leaf":
            key = (n.field, self._bytes(n.field, n.text))
            if key not in known:
                return 0.0
            return n.boost * seg.upper_bound(
                n.field, key[1], B=self.B, K1=self.K1, idf=self.searcher.idf(*key),
                avgfl=self.searcher.avg_field_length(n.field) or 1)
        if n.op == "null":
            return 0.0
        if n.op == "not":
            return 1.0
        kids = [self._bound(c, seg, known) for c in n.children]
        if n.op in ("andnot", "require"):
            return kids[0]
        if n.op == "andmaybe":
            return kids[0] + kids[1]
        total = n.boost * sum(kids)  # and, or, phrase
        if n.op == "or" and n.scale:
            terms = self._terms(n, known)
            if terms:
                return float(_coordinated(np.array([total]), np.array([terms]), terms,
                                          n.scale)[0]) * (1 + 1e-9)
        return total

    def _terms(self, n: Node, known: set) -> int:
        """Leaves of the subtree whose token is in the index (whoosh's term_matchers)."""
        if n.op == "leaf":
            return int((n.field, self._bytes(n.field, n.text)) in known)
        if n.op == "phrase":
            words = [(c.field, self._bytes(c.field, c.text)) for c in n.children]
            return len(words) if all(w in known for w in words) else 0
        return sum(self._terms(c, known) for c in n.children)

    # -- evaluation -----------------------------------------------------------------------------
    def _eval(self, n: Node, seg: _Segment, known: set,
              within: np.ndarray | None = None) -> _Matches:
        """The node's matches in the segment (only among `within`, sorted docnums, if given)."""
        op = n.op
        if op == "leaf":
            return self._leaf(n, seg, known, within)
        if op == "phrase":
            return self._phrase(n, seg, known, within)
        if op == "null":
            return _empty()
        if op == "and":
            return self._and(n, seg, known, within)
        kids = [self._eval(c, seg, known, within) for c in n.children]
        terms = sum(k.terms for k in kids)
        if op == "or":
            m = _union(kids, seg.size)
            m.terms = terms
            if n.boost != 1.0:
                m.scores = m.scores * n.boost
            if n.scale and terms:
                m.scores = _coordinated(m.scores, m.counts, terms, n.scale)
            return m
        if op == "not":
            ids = _minus(seg.universe() if within is None else within, kids[0].ids)
            return _Matches(ids, np.ones(len(ids)), np.zeros(len(ids), np.int64), terms)
        a, b = kids
        if not len(b.ids) and op != "require":  # andnot, andmaybe: a as it is
            return _Matches(a.ids, a.scores, a.counts, terms)
        if op == "andnot":
            keep = ~_member(a.ids, b.ids)
            return _Matches(a.ids[keep], a.scores[keep], a.counts[keep], terms)
        if op == "andmaybe":
            pos, hit = _positions_in(b.ids, a.ids)
            scores = a.scores + np.where(hit, b.scores[pos], 0.0)
            counts = a.counts + np.where(hit, b.counts[pos], 0)
            return _Matches(a.ids, scores, counts, terms)
        if op == "require":
            pos, hit = _positions_in(b.ids, a.ids)
            return _Matches(a.ids[hit], a.scores[hit], a.counts[hit] + b.counts[pos[hit]], terms)
        raise Unsupported(f"query node {op!r}")

    def _and(self, n: Node, seg: _Segment, known: set, within: np.ndarray | None) -> _Matches:
        """Children rarest first, each read only where all before it matched."""
        order = sorted(range(len(n.children)),
                       key=lambda i: self._size(n.children[i], seg, known))
        kids: dict[int, _Matches] = {}
        for i in order:
            c = n.children[i]
            m = self._eval(c, seg, known, within)
            kids[i] = m
            if not len(m.ids) and c.op != "not":
                break
            within = m.ids if c.op != "not" else within
        complete = len(kids) == len(order) and all(len(k.ids) for k in kids.values())
        # summed in the query's order, so a score never depends on the evaluation order
        m = _intersect([kids[i] for i in range(len(order))]) if complete else _empty()
        m.terms = sum(self._terms(c, known) for c in n.children)
        if n.boost != 1.0:
            m.scores = m.scores * n.boost
        return m

    def _size(self, n: Node, seg: _Segment, known: set) -> float:
        """How many documents the node may match in the segment (for ordering ANDs)."""
        if n.op == "leaf":
            key = (n.field, self._bytes(n.field, n.text))
            return seg.reader.doc_frequency(*key) if key in known else 0
        if n.op == "not":
            return float("inf")  # needs the universe: last
        sizes = [self._size(c, seg, known) for c in n.children] or [0]
        return sum(sizes) if n.op == "or" else min(sizes) if n.op in ("and", "phrase") \
            else sizes[0]

    def _leaf(self, n: Node, seg: _Segment, known: set, within: np.ndarray | None) -> _Matches:
        key = (n.field, self._bytes(n.field, n.text))
        if key not in known:
            return _empty()
        p = seg.postings(n.field, key[1], values=False, within=within)
        scores = self._bm25(n.field, key[1], p, seg)
        if n.boost != 1.0:
            scores = scores * n.boost
        return _Matches(p.ids, scores, np.ones(len(p.ids), np.int64), 1)

    def _bm25(self, field: str, btext: bytes, p: Postings, seg: _Segment) -> np.ndarray:
        """The postings' BM25F scores with the index-wide idf and average field length."""
        return bm25(self.searcher.idf(field, btext), p.weights, seg.lengths(field)[p.ids],
                    self.searcher.avg_field_length(field) or 1, self.B, self.K1)

    def _phrase(self, n: Node, seg: _Segment, known: set,
                within: np.ndarray | None) -> _Matches:
        """whoosh's Phrase (SpanNear2, ordered): the words within `slop` of each other in
        order; scored as the sum of the words' BM25F (over the whole section) × boost."""
        words = [(c.field, self._bytes(c.field, c.text)) for c in n.children]
        if any(w not in known for w in words):
            return _empty()  # whoosh: a phrase with an unknown word is a null matcher
        order = sorted(range(len(words)), key=lambda i: seg.reader.doc_frequency(*words[i]))
        postings: list[Postings | None] = [None] * len(words)
        cands = within
        for i in order:  # rarest first; each word read only where the others were
            postings[i] = seg.postings(*words[i], values=True, within=cands)
            cands = postings[i].ids
            if not len(cands):
                return _empty(len(words))
        for i in order:
            p = postings[i]
            keep = _member(p.ids, cands)
            postings[i] = Postings(p.ids[keep], p.weights[keep],
                                    [v for v, k in zip(p.values, keep, strict=True) if k])
        fmt = self.schema[n.field].format
        keep = np.zeros(len(cands), bool)
        for j in range(len(cands)):  # every posting list is now exactly `cands`
            spans = [(q, q) for q in fmt.decode_positions(postings[0].values[j])]
            for i in range(1, len(postings)):
                if not spans:
                    break
                spans = _extend_spans(spans, fmt.decode_positions(postings[i].values[j]),
                                      n.slop)
            keep[j] = bool(spans)
        ids = cands[keep]
        scores = np.zeros(len(ids))
        for p, (f, b) in zip(postings, words, strict=True):
            scores += self._bm25(f, b, Postings(ids, p.weights[keep], None), seg)
        if n.boost != 1.0:
            scores = scores * n.boost
        return _Matches(ids, scores, np.full(len(ids), len(words), np.int64), len(words))


def best(ids: np.ndarray, scores: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The `limit` best of these matches plus any tied with the last (up to TIE_CAP more, in
    the order given), unordered: VectorScorer.top's cut, also for a query scored in full."""
    if len(ids) <= limit:
        return ids, scores
    kth = _kth_largest(scores, limit)
    sure = scores > kth
    tied = np.flatnonzero(scores == kth)[: limit - int(sure.sum()) + TIE_CAP]
    pick = np.concatenate([np.flatnonzero(sure), tied])
    return ids[pick], scores[pick]


def _kth_largest(values: np.ndarray, k: int) -> float:
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _extend_spans(spans: list[tuple[int, int]], positions: list[int],
                  slop: int) -> list[tuple[int, int]]:
    """whoosh SpanNear2 (ordered, mindist 1): spans followed by a position 1…slop after."""
    out = set()
    for start, end in spans:
        for pos in positions:
            if pos >= start and 1 <= pos - end <= slop:
                out.add((start, max(end, pos)))
    return sorted(out)


def _coordinated(scores: np.ndarray, counts: np.ndarray, terms: int,
                 scale: float) -> np.ndarray:
    """whoosh CoordMatcher._sqr ("Short Query Ranking", V-Twin):
    (score + (matching − 1)/(T − scale)²) · (T − 1)/T."""
    if terms == scale:
        return np.zeros_like(scores)
    return (scores + (counts - 1) / (terms - scale) ** 2) * ((terms - 1) / terms)


def _union(kids: list[_Matches], size: int) -> _Matches:
    """Documents matching any child; scores and counts summed over the matching children."""
    kids = [k for k in kids if len(k.ids)]
    if not kids:
        return _empty()
    if len(kids) == 1:
        k = kids[0]
        return _Matches(k.ids, k.scores, k.counts, 0)
    total = sum(len(k.ids) for k in kids)
    if total * _SPARSE_UNION < size:
        # Added child by child, as the dense way below and MaxScore do: a sum then never
        # depends on how many documents were evaluated (np.add.reduceat's order may differ).
        ids = sorted_unique(np.concatenate([k.ids for k in kids]))
        scores = np.zeros(len(ids))
        counts = np.zeros(len(ids), np.int64)
        for k in kids:
            pos = np.searchsorted(ids, k.ids)
            scores[pos] += k.scores
            counts[pos] += k.counts
        return _Matches(ids, scores, counts, 0)
    acc = np.zeros(size)
    cnt = np.zeros(size, np.int64)
    hit = np.zeros(size, bool)
    for k in kids:  # ids are unique within a child, so += is a scatter-add
        acc[k.ids] += k.scores
        cnt[k.ids] += k.counts
        hit[k.ids] = True
    ids = np.flatnonzero(hit)
    return _Matches(ids, acc[ids], cnt[ids], 0)


def _intersect(kids: list[_Matches]) -> _Matches:
    """Documents matching every child; scores and counts summed."""
    if any(not len(k.ids) for k in kids):
        return _empty()
    ids = min(kids, key=lambda k: len(k.ids)).ids
    for k in kids:
        ids = ids[_member(ids, k.ids)]
    scores = np.zeros(len(ids))
    counts = np.zeros(len(ids), np.int64)
    for k in kids:
        pos = np.searchsorted(k.ids, ids)
        scores += k.scores[pos]
        counts += k.counts[pos]
    return _Matches(ids, scores, counts, 0)


def _positions_in(haystack: np.ndarray, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each needle: its index in the sorted haystack (clipped) and whether it is there."""
    if not len(haystack):
        return np.zeros(len(needles), np.int64), np.zeros(len(needles), bool)
    pos = np.minimum(np.searchsorted(haystack, needles), len(haystack) - 1)
    return pos, haystack[pos] == needles


def _member(needles: np.ndarray, haystack: np.ndarray) -> np.ndarray:
    return _positions_in(haystack, needles)[1]


def _minus(ids: np.ndarray, drop: np.ndarray) -> np.ndarray:
    return ids[~_member(ids, drop)] if len(drop) else ids
