"""How often terms are mentioned per year (or month): counts built on find_mentions.

    t = trend(ix, ["Balans-22", "KPMG"], by=Period.year)
    t.periods → ("2020", "2021", "2022");  t.counts → ((15, 0, 0), (0, 0, 6))

The counts are the mentions' own (`trend X` per year == `mentions X` per year). By month, a
mention whose document carries only a year (an annual report: "2020") is counted under the
bare year, which sorts before that year's months; undated mentions go under UNDATED, last.
Years between the first and the last are filled with zeros so a chart shows the gaps.

`per` makes the counts relative to how much text each period holds under the same filters:
mentions per 100 sections or per 10,000 words (`Per`); `Per.auto` picks words when the
periods' sizes differ more than SIZE_RATIO times, else raw counts (5 sections in 2015 and 600
in 2019 make raw bars misleading).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

from searcher import messages
from searcher.analysis.matching import DEFAULT_CASE, DEFAULT_FORM, Case, Form
from searcher.errors import BadQueryError, SearcherError
from searcher.query.filters import parse_filters
from searcher.settings import choices
from searcher.tools.explore.corpus import count_words
from searcher.tools.mentions import find_mentions

UNDATED = "okänt"
MATPLOTLIB_PIN = "matplotlib==3.11.2"
PNG_DPI = 120
SIZE_RATIO = 2.0  # Per.auto: relative counts when period sizes differ more than this
PNG_INCHES_PER_BAR = 0.35  # PNG width grows with periods × terms, between the two limits
PNG_MIN_INCHES, PNG_MAX_INCHES = 6.0, 16.0
PNG_MAX_TICKS = 24  # more periods than this: every k-th tick label


class Period(str, Enum):
    """The bucket of a trend."""

    year = "year"
    month = "month"


class Per(str, Enum):
    """What a trend's counts are relative to."""

    auto = "auto"
    sections = "sections"
    words = "words"
    raw = "raw"


#: Per → (the size it divides by, the scale): mentions per 100 sections, per 10,000 words.
PER_SCALE = {Per.sections: 100, Per.words: 10_000}


@dataclass(frozen=True, slots=True)
class Trend:
    """Counts per (term, period): counts[i][j] is terms[i] in periods[j]."""

    terms: tuple[str, ...]
    periods: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    by: str  # a Period value
    forms: str  # a Form value
    per: str = Per.raw.value  # sections, words or raw (never auto: that is decided)
    sizes: tuple[int, ...] = ()  # sections or words of each period (per != raw)

    def value(self, i: int, j: int) -> float | None:
        """The count of term i in period j, relative when `per` says so (None: no text)."""
        if self.per == Per.raw.value:
            return float(self.counts[i][j])
        size = self.sizes[j]
        return self.counts[i][j] * PER_SCALE[Per(self.per)] / size if size else None

    def rows(self) -> Iterator[dict[str, Any]]:
        """One {"period", "term", "count"} per cell, period by period (the --json lines);
        relative trends add "per", "size" and "value"."""
        for j, period in enumerate(self.periods):
            for i, term in enumerate(self.terms):
                row: dict[str, Any] = {"period": period, "term": term,
                                       "count": self.counts[i][j]}
                if self.per != Per.raw.value:
                    v = self.value(i, j)
                    row.update(per=self.per, size=self.sizes[j],
                               value=None if v is None else round(v, 3))
                yield row

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
    per: Per | str = Per.raw,
) -> Trend:
    """Mentions of each term per period (see the module docstring)."""
    try:
        by = Period(by)
    except ValueError:
        raise BadQueryError(f"unknown period {by!r}; choose from {choices(Period)}") from None
    try:
        per = Per(per)
    except ValueError:
        raise BadQueryError(f"unknown --per {per!r}; choose from {choices(Per)}") from None
    if not terms:
        raise BadQueryError("trend needs at least one term")
    flt = parse_filters(filters)
    per_term: list[Counter[str]] = []
    for term in terms:
        mentions = find_mentions(index, term, forms=forms, filters=filters, case=case)
        per_term.append(Counter(period_of(m.date, by) for m in mentions
                                if flt.admits_date(m.date)))
    periods = _periods({p for c in per_term for p in c}, by)
    counts = tuple(tuple(c.get(p, 0) for p in periods) for c in per_term)
    plain = Trend(tuple(terms), periods, counts, by.value, Form(forms).value)
    if per is Per.raw or not periods:
        return plain
    sections, words = period_sizes(index, filters, by)
    if per is Per.auto:
        dated = [words.get(p, 0) for p in periods if p != UNDATED and words.get(p, 0)]
        if not dated or max(dated) <= SIZE_RATIO * min(dated):
            return plain
        per = Per.words
    size = sections if per is Per.sections else words
    return replace(plain, per=per.value, sizes=tuple(size.get(p, 0) for p in periods))


def period_sizes(index: Any, filters: dict[str, str | None] | None,
                 by: Period) -> tuple[Counter[str], Counter[str]]:
    """Sections and running words per period under `filters` (one pass over the sections)."""
    flt = parse_filters(filters)
    allowed = None if flt.is_empty() else index.lexical.matching_ids(flt)
    sections: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for s in index.store.iter_sections():
        if allowed is not None and s.section_id not in allowed:
            continue
        if not flt.admits_date(s.date):
            continue
        p = period_of(s.date, by)
        sections[p] += 1
        words[p] += count_words(s.text)
    return sections, words


def _periods(found: set[str], by: Period) -> tuple[str, ...]:
    dated = sorted(p for p in found if p != UNDATED)
    if by == Period.year and dated:
        dated = [str(y) for y in range(int(dated[0]), int(dated[-1]) + 1)]
    return tuple(dated + ([UNDATED] if UNDATED in found else []))


def unit_label(t: Trend) -> str:
    """What the numbers are, in the interface language: mentions, or per 100 sections/10k words."""
    keys = {"raw": "per_raw", "sections": "per_sections", "words": "per_words"}
    return messages.t(keys[t.per])


def chart_title(t: Trend) -> str:
    period = messages.t("period_year" if t.by == Period.year.value else "period_month")
    per = "" if t.per == Per.raw.value else f", {unit_label(t)}"
    return messages.t("trend_title", period=period, forms=t.forms, per=per)


def tick_positions(n: int) -> list[int]:
    """Which of n periods get a tick label: all up to PNG_MAX_TICKS, else every k-th."""
    step = max(1, -(-n // PNG_MAX_TICKS))
    return list(range(0, n, step))


def png_inches(t: Trend) -> float:
    """The PNG's width: grows with periods × terms, within PNG_MIN/MAX_INCHES."""
    inches = PNG_INCHES_PER_BAR * len(t.periods) * max(len(t.terms), 1) + 2
    return min(PNG_MAX_INCHES, max(PNG_MIN_INCHES, inches))


def save_png(t: Trend, path: Path, *, title: str | None = None) -> Path:
    """Grouped bar chart of `t` (one colour per term) as a PNG, as wide as its periods need,
    tick labels thinned to PNG_MAX_TICKS; matplotlib is imported here."""
    try:
        from matplotlib.figure import Figure  # no pyplot: no global state, Agg canvas
    except ImportError:
        raise SearcherError(f"--png needs matplotlib: pip install {MATPLOTLIB_PIN}") from None
    n = max(len(t.terms), 1)
    fig = Figure(figsize=(png_inches(t), 4.5), dpi=PNG_DPI)
    ax = fig.add_subplot()
    width = 0.8 / n
    for i, term in enumerate(t.terms):
        xs = [j - 0.4 + width * (i + 0.5) for j in range(len(t.periods))]
        heights = [t.value(i, j) or 0.0 for j in range(len(t.periods))]
        bars = ax.bar(xs, heights, width=width, label=term)
        if len(t.periods) * n <= PNG_MAX_TICKS:
            ax.bar_label(bars, padding=2, fontsize=8,
                         fmt="%d" if t.per == Per.raw.value else "%.1f")
    ticks = tick_positions(len(t.periods))
    slanted = t.by == Period.month.value or len(ticks) < len(t.periods)
    ax.set_xticks(ticks, [t.periods[j] for j in ticks], rotation=45 if slanted else 0,
                  ha="right" if slanted else "center")
    ax.set_ylabel(unit_label(t))
    ax.set_xlabel(messages.t("period_year" if t.by == Period.year.value else "period_month"))
    if t.per == Per.raw.value:
        ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title or chart_title(t))
    ax.legend()
    ax.margins(x=0.01, y=0.15)
    fig.tight_layout()
    path = Path(path)
    try:
        fig.savefig(path, format="png")
    except OSError as e:
        raise SearcherError(f"cannot write {path}: {e.strerror or e}") from None
    return path
