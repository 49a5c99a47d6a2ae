"""Rendering of corpus-level records (documents, figures, key terms) for the terminal."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from searcher.tools.explore import CorpusStats, DocumentInfo, Figures, GroupBy

#: Column headings of the breakdowns, per GroupBy member.
_GROUP_TITLES = {GroupBy.type: "typ", GroupBy.organ: "organ", GroupBy.year: "år"}


def docs_table(docs: list[DocumentInfo]) -> Table:
    """One row per document, two lines each: name over title, organ over municipality,
    date over type, and the number of sections."""
    table = Table(expand=True, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, leading=1)
    table.add_column("dokument · titel", ratio=3, overflow="fold",
                     min_width=max((len(d.doc) for d in docs), default=8))
    table.add_column("organ · kommun", ratio=2)
    table.add_column("datum · typ", no_wrap=True)
    table.add_column("avsnitt", justify="right", no_wrap=True)
    for d in docs:
        table.add_row(_two(d.doc, d.title, "cyan"), _two(d.organ, d.municipality),
                      _two(d.date, d.doc_type), str(d.n_sections))
    return table


def _two(first: str | None, second: str | None, style: str = "") -> Text:
    t = Text(first or "–", style=style)
    if second:
        t.append(f"\n{second}", style="dim")
    return t


def _n(x: int) -> str:
    return f"{x:,}".replace(",", " ")  # Swedish thousands separator


def _figures_line(label: str, f: Figures) -> Text:
    t = Text(f"{label}: ", style="bold")
    t.append(f"{_n(f.documents)} dokument · {_n(f.sections)} avsnitt · {_n(f.words)} ord")
    return t


def stats_view(stats: CorpusStats) -> Group:
    """Corpus figures, one breakdown table per GroupBy, then the subset and its key terms."""
    parts: list[RenderableType] = [_figures_line("Korpus", stats.corpus)]
    for group in GroupBy:
        rows = [f for f in stats.groups if f.group == group.value]
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title_justify="left")
        table.add_column(_GROUP_TITLES[group], style="cyan")
        for col in ("dokument", "avsnitt", "ord"):
            table.add_column(col, justify="right")
        for f in rows:
            table.add_row(f.value, _n(f.documents), _n(f.sections), _n(f.words))
        parts += [Text(""), table]
    if stats.subset is None:
        parts += [Text(""), Text("Add a subset (--organ, --type, --kommun, --year, --doc) to see "
                                 "its characteristic terms.", style="dim")]
        return Group(*parts)
    label = "Urval " + " ".join(f"{k}={v}" for k, v in stats.subset_filters.items())
    parts += [Text(""), _figures_line(label, stats.subset)]
    title = Text("Utmärkande termer: urvalet mot resten av korpusen, log-likelihood G²",
                 style="bold")
    title.append(f"\n{_n(stats.subset_terms)} mot {_n(stats.rest_terms)} analyserade termer; "
                 "G² ≥ 3.84 ⇔ p < 0.05", style="dim")
    rows = [(k.term, k.stem, str(k.subset_freq), f"{k.subset_per_10k:.1f}", str(k.rest_freq),
             f"{k.rest_per_10k:.1f}", f"{k.g2:.1f}",
             f"{k.log_ratio:.2f}" + ("*" if k.rest_freq == 0 else "")) for k in stats.key_terms]
    heads = ("term", "stam", "urval", "/10k", "resten", "/10k", "G²", "log₂\nkvot")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i, head in enumerate(heads):
        widest = max([len(r[i]) for r in rows] + [len(w) for w in head.split("\n")])
        if i == 1:  # the stem gives way first when the terminal is narrow
            table.add_column(head, style="dim", overflow="ellipsis")
        else:
            table.add_column(head, justify="left" if i == 0 else "right", no_wrap=True,
                             min_width=widest, style="bold" if i == 0 else None)
    for row in rows:
        table.add_row(*row)
    parts += [Text(""), title,
              table if stats.key_terms else Text("no significant terms", style="dim")]
    if any(k.rest_freq == 0 for k in stats.key_terms):
        parts.append(Text("* absent from the rest of the corpus (0 counted as 0.5)", style="dim"))
    return Group(*parts)
