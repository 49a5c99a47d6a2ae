"""Rendering of corpus-level records (documents, figures, key terms) for the terminal."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from searcher.messages import t
from searcher.tools.explore import CorpusStats, DocumentInfo, Figures, GroupBy

#: Column headings of the breakdowns, per GroupBy member (message keys).
_GROUP_TITLES = {GroupBy.type: "f_type", GroupBy.organ: "f_organ", GroupBy.year: "f_year"}


def docs_table(docs: list[DocumentInfo]) -> Table:
    """One row per document, two lines each: name over title, organ over municipality,
    date over type, and the number of sections."""
    table = Table(expand=True, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, leading=1)
    table.add_column(t("docs_doc_title"), ratio=3, overflow="fold",
                     min_width=max((len(d.doc) for d in docs), default=8))
    table.add_column(t("docs_organ_kommun"), ratio=2)
    table.add_column(t("docs_date_type"), no_wrap=True)
    table.add_column(t("f_sections"), justify="right", no_wrap=True)
    for d in docs:
        table.add_row(_two(d.doc, d.title, "cyan"), _two(d.organ, d.municipality),
                      _two(d.date, d.doc_type), str(d.n_sections))
    return table


def _two(first: str | None, second: str | None, style: str = "") -> Text:
    text = Text(first or "–", style=style)
    if second:
        text.append(f"\n{second}", style="dim")
    return text


def _n(x: int) -> str:
    return f"{x:,}".replace(",", " ")  # Swedish thousands separator


def _figures_line(label: str, f: Figures) -> Text:
    text = Text(f"{label}: ", style="bold")
    text.append(t("figures", documents=_n(f.documents), sections=_n(f.sections),
                  words=_n(f.words)))
    return text


def stats_view(stats: CorpusStats) -> Group:
    """Corpus figures, one breakdown table per GroupBy, then the subset and its key terms."""
    parts: list[RenderableType] = [_figures_line(t("corpus"), stats.corpus)]
    for group in GroupBy:
        rows = [f for f in stats.groups if f.group == group.value]
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title_justify="left")
        table.add_column(t(_GROUP_TITLES[group]), style="cyan")
        for col in (t("f_documents"), t("f_sections"), t("f_words")):
            table.add_column(col, justify="right")
        for f in rows:
            table.add_row(f.value, _n(f.documents), _n(f.sections), _n(f.words))
        parts += [Text(""), table]
    if stats.subset is None:
        parts += [Text(""), Text(t("add_subset"), style="dim")]
        return Group(*parts)
    label = t("subset") + " " + " ".join(f"{k}={v}" for k, v in stats.subset_filters.items())
    parts += [Text(""), _figures_line(label, stats.subset)]
    title = Text(t("key_terms"), style="bold")
    title.append("\n" + t("key_terms_sizes", a=_n(stats.subset_terms), b=_n(stats.rest_terms)),
                 style="dim")
    rows = [(k.term, k.stem, str(k.subset_freq), f"{k.subset_per_10k:.1f}", str(k.rest_freq),
             f"{k.rest_per_10k:.1f}", f"{k.g2:.1f}",
             f"{k.log_ratio:.2f}" + ("*" if k.rest_freq == 0 else "")) for k in stats.key_terms]
    heads = tuple(t("kt_heads").split("|"))
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
              table if stats.key_terms else Text(t("no_key_terms"), style="dim")]
    if any(k.rest_freq == 0 for k in stats.key_terms):
        parts.append(Text(t("absent_rest"), style="dim"))
    return Group(*parts)
