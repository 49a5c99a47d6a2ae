"""A section's whoosh postings computed fast, equal to what whoosh's own `field.index` yields.

whoosh analyses every field of every document by running its analyzer's generator chain token
by token (tokenizer → lowercase → stop → compounds → stem), four times per section: `text`,
`parts`, `exact` and `title`. Here each distinct text is tokenized once (`parts` and `exact`
are `title\\nbody`: the body's tokens are reused, shifted), and the filter chain's result for a
token depends only on its (text, kind), so it is computed once per word by running whoosh's
filters themselves on that one token and remembered. What is not token-local is replayed:
SwedishStopFilter's renumbering of positions (the first surviving position is kept, then +1 at
each new position among surviving tokens). Fields whose analyzer or format is not one of these
fall back to whoosh's `field.index`. The oracle tests (tests/lexical/test_prepared.py) compare
every term, frequency, weight and position list with whoosh's own on real documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, Token
from whoosh.fields import Schema
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE as _UINT

from searcher.analysis.compounds import CompoundFilter
from searcher.analysis.stemming import SwedishStemFilter
from searcher.analysis.stopwords import SwedishStopFilter
from searcher.analysis.tokenizer import IdentifierTokenizer

#: Filters whose output for a token depends on that token alone (the stop filter's position
#: renumbering aside, which PreparedAnalyser replays).
TOKEN_LOCAL_FILTERS = (LowercaseFilter, SwedishStopFilter, CompoundFilter, SwedishStemFilter)
MEMO_SIZE = 300_000  # (text, kind) pairs remembered per filter chain; cleared when full

#: One field's postings as whoosh's writer takes them: (term bytes, frequency, weight, value).
Item = tuple[bytes, int, float, bytes]
RawToken = tuple[str, int, str]  # (text, position, kind) as the tokenizer emits it


@dataclass(frozen=True, slots=True)
class PreparedField:
    """One field's postings and its length (the sum of frequencies, as whoosh counts it)."""

    items: tuple[Item, ...]
    length: int


class _Chain:
    """One analyzer's filters, their per-token results remembered."""

    def __init__(self, filters: tuple) -> None:
        self.filters = filters
        self.renumber = any(isinstance(f, SwedishStopFilter) for f in filters)
        # whoosh's LowercaseFilter alone sets `t.text = t.text.lower()`, nothing else
        self.lowercase_only = [type(f) for f in filters] == [LowercaseFilter]
        self.memo: dict[tuple[str, str], tuple[str, ...]] = {}

    def outputs(self, text: str, kind: str) -> tuple[str, ...]:
        """The token texts the filters make of one token (empty when it is stopped)."""
        t = Token(positions=True, chars=False, removestops=True, mode="index", boosts=True)
        t.text, t.kind, t.pos, t.boost, t.stopped, t.lone = text, kind, 0, 1.0, False, False
        gen: Iterable[Token] = iter((t,))
        for f in self.filters:
            gen = f(gen)
        out = tuple(tok.text for tok in gen if not tok.stopped)
        if len(self.memo) >= MEMO_SIZE:
            self.memo.clear()
        self.memo[(text, kind)] = out
        return out

    def positions(self, raw: list[RawToken]) -> dict[str, list[int]]:
        """Term → positions, in the order whoosh's Positions format collects them."""
        if self.lowercase_only:
            return _lowercase_positions(raw)
        memo, compute = self.memo, self.outputs
        poses: dict[str, list[int]] = {}
        renumber = self.renumber
        new = last_old = -1
        first = True
        for text, pos, kind in raw:
            out = memo.get((text, kind))
            if out is None:
                out = compute(text, kind)
            if not out:
                continue
            if renumber:
                if first:
                    new, first = pos, False
                elif pos != last_old:
                    new += 1
                last_old = pos
                pos = new
            for w in out:
                found = poses.get(w)
                if found is None:
                    poses[w] = [pos]
                else:
                    found.append(pos)
        return poses


def _lowercase_positions(raw: list[RawToken]) -> dict[str, list[int]]:
    """_Chain.positions for a chain of LowercaseFilter alone: one lowercase term per token,
    none stopped, positions kept (computing it costs less than remembering it)."""
    poses: dict[str, list[int]] = {}
    for text, pos, _kind in raw:
        w = text.lower()
        found = poses.get(w)
        if found is None:
            poses[w] = [pos]
        else:
            found.append(pos)
    return poses


def _supported(field) -> bool:
    ana = getattr(field, "analyzer", None)
    return (type(getattr(field, "format", None)) is Positions and field.vector is None
            and isinstance(ana, CompositeAnalyzer) and type(ana.items[0]) is IdentifierTokenizer
            and all(type(f) in TOKEN_LOCAL_FILTERS for f in ana.items[1:]))


class PreparedAnalyser:
    """Postings of whole documents for a schema: fast for its IdentifierTokenizer fields with
    positions, whoosh's `field.index` for every other indexed field."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.tokenizer = IdentifierTokenizer()
        self.chains: dict[str, _Chain] = {}
        self._single: dict[int, tuple[bytes, bytes]] = {}
        shared: list[_Chain] = []
        for name, field in schema.items():
            if not field.indexed or not _supported(field):
                continue
            filters = tuple(field.analyzer.items[1:])
            chain = next((c for c in shared if list(c.filters) == list(filters)), None)
            if chain is None:
                chain = _Chain(filters)
                shared.append(chain)
            self.chains[name] = chain

    def single_position(self, pos: int) -> bytes:
        """Positions.encode([pos]) (most terms occur once in a field), its two parts
        remembered: a new bytes object each time, as whoosh's own values are (see
        whoosh_internals._fill_blocks: a value met twice in a block must not be one object)."""
        parts = self._single.get(pos)
        if parts is None:
            value = Positions().encode([pos])
            parts = self._single[pos] = (value[:_UINT], value[_UINT:])
        return parts[0] + parts[1]

    def raw_tokens(self, value: str) -> list[RawToken]:
        """The tokenizer's (text, position, kind) for a text, as whoosh's index call gets it."""
        return self.tokenizer.index_units(value)

    def _raw_for(self, values: Iterable[str]) -> dict[str, list[RawToken]]:
        """Raw tokens of each distinct value; a value that is `head\\nV` for a shorter value V
        reuses V's tokens (no unit of the tokenizer spans a line break)."""
        done: dict[str, list[RawToken]] = {}
        for value in sorted(set(values), key=len):
            for prev, toks in done.items():
                cut = len(value) - len(prev) - 1
                if cut >= 0 and value[cut] == "\n" and value.endswith(prev):
                    head = self.raw_tokens(value[:cut])
                    shift = head[-1][1] + 1 if head else 0
                    done[value] = head + [(t, p + shift, k) for t, p, k in toks]
                    break
            else:
                done[value] = self.raw_tokens(value)
        return done

    def prepare(self, fields: dict) -> dict[str, PreparedField]:
        """Every indexed field's postings for one document's fields (whoosh's add_document
        arguments), by field name; fields with no value are left out."""
        schema = self.schema
        fast = {n: v for n, v in fields.items() if n in self.chains and isinstance(v, str)}
        raw = self._raw_for(fast.values())
        out: dict[str, PreparedField] = {}
        for name, value in fields.items():
            if value is None or name.startswith("_"):
                continue
            field = schema[name]
            if not field.indexed:
                continue
            if name in fast:
                poses = self.chains[name].positions(raw[value])
                fb = field.format.field_boost
                encode = self.single_position
                items = tuple((w.encode("utf-8"), len(pl), float(len(pl)) * fb,
                               encode(pl[0]) if len(pl) == 1 else field.format.encode(pl))
                              for w, pl in poses.items())
            else:
                items = tuple(field.index(value))
            length = sum(i[1] for i in items) if field.scorable else 0
            out[name] = PreparedField(items, length)
        return out
