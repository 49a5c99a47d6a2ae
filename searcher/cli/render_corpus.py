"""Rendering of corpus-level records (documents, figures, key terms) for the terminal."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from searcher.explore import CorpusStats, DocumentInfo, Figures, GroupBy

#: Column headings of the breakdowns, per GroupBy member.
_GROUP_TITLES = {GroupBy.type: "typ", GroupBy.organ: "organ", GroupBy.year: "år"}


def docs_table(docs: list[DocumentInfo]) -> Table:
    table = Table(expand=True, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("dokument", style="cyan", no_wrap=True)
    table.add_column("kommun")
    table.add_column("organ", ratio=1)
    table.add_column("typ")
    table.add_column("datum", no_wrap=True)
    table.add_column("avsnitt", justify="right")
    table.add_column("titel", ratio=2)
    for d in docs:
        table.add_row(d.doc, d.municipality or "", d.organ or "", d.doc_type or "", d.date or "",
                      str(d.n_sections), d.title or "")
    return table


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
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
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
    title = Text(f"Utmärkande termer (log-likelihood G², urvalet mot resten av korpusen; "
                 f"{_n(stats.subset_terms)} mot {_n(stats.rest_terms)} termer)", style="bold")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col, justify in (("term", "left"), ("stam", "left"), ("urval", "right"),
                         ("/10k", "right"), ("resten", "right"), ("/10k ", "right"),
                         ("G²", "right"), ("log₂-kvot", "right"), ("p", "right")):
        table.add_column(col, justify=justify, style="bold" if col == "term" else None)
    for k in stats.key_terms:
        ratio = f"{k.log_ratio:.2f}" + ("*" if k.rest_freq == 0 else "")
        table.add_row(k.term, k.stem, str(k.subset_freq), f"{k.subset_per_10k:.1f}",
                      str(k.rest_freq), f"{k.rest_per_10k:.1f}", f"{k.g2:.1f}", ratio,
                      f"{k.p:.2g}")
    parts += [Text(""), title, table if stats.key_terms else Text("no significant terms", style="dim")]
    if any(k.rest_freq == 0 for k in stats.key_terms):
        parts.append(Text("* absent from the rest of the corpus (0 counted as 0.5)", style="dim"))
    return Group(*parts)
