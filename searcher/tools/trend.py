"""How often terms are mentioned per year (or month): counts built on find_mentions.

    t = trend(ix, ["Balans-22", "KPMG"], by=Period.year)
    t.periods → ("2020", "2021", "2022");  t.counts → ((15, 0, 0), (0, 0, 6))

The counts are the mentions' own (`trend X` per year == `mentions X` per year). By month, a
mention whose document carries only a year (an annual report: "2020") is counted under the
bare year, which sorts before that year's months; undated mentions go under UNDATED, last.
Years between the first and the last are filled with zeros so a chart shows the gaps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from searcher.analysis.matching import DEFAULT_CASE, DEFAULT_FORM, Case, Form
from searcher.errors import BadQueryError, SearcherError
from searcher.settings import choices
from searcher.tools.mentions import find_mentions

UNDATED = "okänt"
MATPLOTLIB_PIN = "matplotlib==3.11.2"
PNG_DPI = 120


class Period(str, Enum):
    """The bucket of a trend."""

    year = "year"
    month = "month"


@dataclass(frozen=True, slots=True)
class Trend:
    """Counts per (term, period): counts[i][j] is terms[i] in periods[j]."""

    terms: tuple[str, ...]
    periods: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    by: str  # a Period value
    forms: str  # a Form value

    def rows(self) -> Iterator[dict[str, Any]]:
        """One {"period", "term", "count"} per cell, period by period (the --json lines)."""
        for j, period in enumerate(self.periods):
            for i, term in enumerate(self.terms):
                yield {"period": period, "term": term, "count": self.counts[i][j]}

    def total(self, term: str) -> int:
        return sum(self.counts[self.terms.index(term)])


def period_of(date: str | None, by: Period) -> str:
    """'2022' or '2022-08' (by month, where the date has one); UNDATED without a year."""
    m = re.match(r"(\d{4})(?:-(\d{2}))?", date or "")
    if not m:
        return UNDATED
    if by == Period.month and m.group(2):
        return f"{m.group(1)}-{m.group(2)}"
    return m.group(1)


def trend(
    index: Any,
    terms: Sequence[str],
    *,
    by: Period | str = Period.year,
    forms: Form | str = DEFAULT_FORM,
    filters: dict[str, str | None] | None = None,
    case: Case | str = DEFAULT_CASE,
) -> Trend:
    """Mentions of each term per period (see the module docstring)."""
    try:
        by = Period(by)
    except ValueError:
        raise BadQueryError(f"unknown period {by!r}; choose from {choices(Period)}") from None
    if not terms:
        raise BadQueryError("trend needs at least one term")
    per_term: list[Counter[str]] = []
    for term in terms:
        mentions = find_mentions(index, term, forms=forms, filters=filters, case=case)
        per_term.append(Counter(period_of(m.date, by) for m in mentions))
    periods = _periods({p for c in per_term for p in c}, by)
    counts = tuple(tuple(c.get(p, 0) for p in periods) for c in per_term)
    return Trend(tuple(terms), periods, counts, by.value, Form(forms).value)


def _periods(found: set[str], by: Period) -> tuple[str, ...]:
    dated = sorted(p for p in found if p != UNDATED)
    if by == Period.year and dated:
        dated = [str(y) for y in range(int(dated[0]), int(dated[-1]) + 1)]
    return tuple(dated + ([UNDATED] if UNDATED in found else []))


def save_png(t: Trend, path: Path, *, title: str | None = None) -> Path:
    """Grouped bar chart of `t` (one colour per term) as a PNG; matplotlib is imported here."""
    try:
        from matplotlib.figure import Figure  # no pyplot: no global state, Agg canvas
    except ImportError:
        raise SearcherError(f"--png needs matplotlib: pip install {MATPLOTLIB_PIN}") from None
    n = max(len(t.terms), 1)
    fig = Figure(figsize=(max(6.0, 0.9 * len(t.periods) * n + 2), 4.0), dpi=PNG_DPI)
    ax = fig.add_subplot()
    width = 0.8 / n
    for i, term in enumerate(t.terms):
        xs = [j - 0.4 + width * (i + 0.5) for j in range(len(t.periods))]
        bars = ax.bar(xs, t.counts[i], width=width, label=term)
        ax.bar_label(bars, padding=2, fontsize=8)
    ax.set_xticks(range(len(t.periods)), t.periods)
    ax.set_ylabel("omnämnanden")
    ax.set_xlabel({"year": "år", "month": "månad"}.get(t.by, t.by))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title or f"Omnämnanden per {'år' if t.by == 'year' else 'månad'} ({t.forms})")
    ax.legend()
    ax.margins(y=0.15)
    fig.tight_layout()
    path = Path(path)
    try:
        fig.savefig(path, format="png")
    except OSError as e:
        raise SearcherError(f"cannot write {path}: {e.strerror or e}") from None
    return path
