"""Swedish stop words (the Snowball list, 114 words) and a stop filter that keeps positions right.

whoosh's ``StopFilter`` merges its English list unless told otherwise, drops one-letter tokens
(``5`` in ``5 kap.``, ``§``) and renumbers every surviving token as if each had its own position,
which breaks identifier parts and compound parts that share a position. This filter drops only the
Snowball Swedish words and renumbers per *position*, not per token.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Filter, Token

from searcher.analysis.tokenizer import STOPPABLE_KINDS

# snowballstem.org/algorithms/swedish/stop.txt (identical to whoosh.lang.stopwords "sv").
SWEDISH_STOP_WORDS: frozenset[str] = frozenset(
    """
    alla allt att av blev bli blir blivit de dem den denna deras dess dessa det detta dig din dina
    ditt du där då efter ej eller en er era ert ett från för ha hade han hans har henne hennes hon
    honom hur här i icke ingen inom inte jag ju kan kunde man med mellan men mig min mina mitt mot
    mycket ni nu när någon något några och om oss på samma sedan sig sin sina sitta själv skulle
    som så sådan sådana sådant till under upp ut utan vad var vara varför varit varje vars vart
    vem vi vid vilka vilkas vilken vilket vår våra vårt än är åt över
    """.split()
)


class SwedishStopFilter(Filter):
    """Drop Swedish stop words (words and identifier parts) and renumber positions per position.

    Tokens that share a position (an identifier and its first part, a compound and its parts) keep
    sharing the new position; a position whose tokens are all stopped disappears, so a phrase query
    with a stop word in it (``tillstånd för servering``) still lines up with the index.
    """

    def __init__(self, stoplist: frozenset[str] = SWEDISH_STOP_WORDS) -> None:
        self.stops = frozenset(stoplist)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.stops == self.stops  # type: ignore[attr-defined]

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops = self.stops
        last_old: int | None = None
        new: int | None = None
        for t in tokens:
            if t.text in stops and getattr(t, "kind", "word") in STOPPABLE_KINDS:
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            old = t.pos
            if new is None:
                new = old  # keep whoosh's start_pos offset
            elif old != last_old:
                new += 1
            last_old = old
            t.pos = new
            t.stopped = False
            yield t
