"""Keyness: which terms characterise a subset of the corpus, compared with the rest of it.

Terms are the stems of `searcher.analysis`'s Swedish analyzer (the one the index uses), so
`beslutade`, `beslutet` and `besluten` count as one term; each term is shown by its most frequent
surface word. The measure is Dunning's log-likelihood G² on the 2×2 table (term / other terms ×
subset / rest), with Hardie's log ratio as the effect size.

- Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence.
  Computational Linguistics 19(1), 61–74.
- Rayson, P. & Garside, R. (2000). Comparing corpora using frequency profiling. (G² ≥ 3.84 is
  p < 0.05 at one degree of freedom; 10.83 is p < 0.001.)
- Hardie, A. (2014). Log Ratio: an informal introduction. (log2 of the ratio of relative
  frequencies; zero frequencies are replaced by 0.5.)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from searcher.analysis import get_analyzer

#: G² at p = 0.05 with one degree of freedom: below this a difference is not reported.
CRITICAL_G2 = 3.84
#: Zero frequencies are replaced by this in the log ratio (Hardie 2014).
LOG_RATIO_ZERO = 0.5
MIN_TERM_LENGTH = 2


@dataclass
class TermCounts:
    """Term (stem) frequencies of some texts, and how often each surface word gave each term."""

    freq: Counter[str] = field(default_factory=Counter)
    surfaces: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.freq.values())

    def add_text(self, text: str) -> None:
        """Count one text: one term per word, numbers and one-letter stems left out.

        The analyzer also emits an identifier's parts (`Balans-22` → `balans-22`, `balan`, `22`)
        and joined forms (`Dnr 2022-00295`); only the first token that covers a word without
        spanning whitespace is counted, so every running word counts at most once.
        """
        covered = 0
        for tok in get_analyzer("swedish")(text, mode="index", positions=True, chars=True):
            start, end, term = tok.startchar, tok.endchar, tok.text
            if start < covered:
                continue
            surface = text[start:end]
            if any(ch.isspace() for ch in surface):
                continue
            covered = end
            if len(term) < MIN_TERM_LENGTH or not any(ch.isalpha() for ch in term):
                continue
            self.freq[term] += 1
            self.surfaces.setdefault(term, Counter())[surface] += 1

    def surface(self, term: str) -> str:
        """The most frequent surface word of a term (case-folded to count, shown as written)."""
        forms = self.surfaces.get(term)
        if not forms:
            return term
        folded: Counter[str] = Counter()
        for form, n in forms.items():
            folded[form.lower()] += n
        best = min(folded, key=lambda f: (-folded[f], f))
        return min((f for f in forms if f.lower() == best), key=lambda f: (-forms[f], f))


def count_terms(texts: Iterable[str]) -> TermCounts:
    counts = TermCounts()
    for text in texts:
        counts.add_text(text)
    return counts


def log_likelihood(a: int, b: int, size_a: int, size_b: int) -> float:
    """Dunning's G² for a term seen `a` times in `size_a` tokens and `b` times in `size_b`.

    The full 2×2 table: [[a, b], [size_a - a, size_b - b]]; G² = 2 Σ O ln(O / E).
    """
    if not (0 <= a <= size_a and 0 <= b <= size_b):
        raise ValueError(
            f"frequencies must lie within their corpus sizes: {a}/{size_a}, {b}/{size_b}")
    n = size_a + size_b
    if n == 0 or a + b == 0 or size_a == 0 or size_b == 0:
        return 0.0
    cells = ((a, size_a, a + b), (b, size_b, a + b),
             (size_a - a, size_a, n - a - b), (size_b - b, size_b, n - a - b))
    g2 = 0.0
    for observed, column, row in cells:
        if observed:
            g2 += observed * math.log(observed * n / (column * row))
    return max(0.0, 2.0 * g2)


def p_value(g2: float) -> float:
    """Upper tail of χ² with one degree of freedom at `g2`."""
    return math.erfc(math.sqrt(max(g2, 0.0) / 2.0))


def log_ratio(a: int, b: int, size_a: int, size_b: int) -> float:
    """log2 of the ratio of relative frequencies (Hardie 2014); 1.0 means twice as frequent."""
    return math.log2(((a or LOG_RATIO_ZERO) / size_a) / ((b or LOG_RATIO_ZERO) / size_b))


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """One characteristic term of a subset, with its evidence."""

    term: str  # the most frequent surface word in the subset
    stem: str  # the analysed term that was counted
    subset_freq: int
    rest_freq: int
    subset_per_10k: float  # per 10 000 analysed terms
    rest_per_10k: float
    g2: float
    log_ratio: float
    p: float

    def to_dict(self) -> dict:
        return asdict(self)


def key_terms(subset: TermCounts, rest: TermCounts, *, top: int = 20, min_freq: int = 3,
              critical: float = CRITICAL_G2) -> list[KeyTerm]:
    """Terms more frequent in `subset` than in `rest`, strongest first (by G², then stem).

    Only terms seen at least `min_freq` times in the subset with G² ≥ `critical` are kept.
    """
    size_a, size_b = subset.total, rest.total
    if size_a == 0 or size_b == 0:
        return []
    scored: list[tuple[float, KeyTerm]] = []
    for stem, a in subset.freq.items():
        b = rest.freq.get(stem, 0)
        if a < min_freq or a / size_a <= b / size_b:
            continue
        g2 = log_likelihood(a, b, size_a, size_b)
        if g2 < critical:
            continue
        scored.append((g2, KeyTerm(
            term=subset.surface(stem), stem=stem, subset_freq=a, rest_freq=b,
            subset_per_10k=round(10_000 * a / size_a, 2),
            rest_per_10k=round(10_000 * b / size_b, 2),
            g2=round(g2, 2), log_ratio=round(log_ratio(a, b, size_a, size_b), 2),
            p=float(f"{p_value(g2):.3g}"),
        )))
    scored.sort(key=lambda gk: (-gk[0], gk[1].stem))
    return [k for _g2, k in scored[:top]]
