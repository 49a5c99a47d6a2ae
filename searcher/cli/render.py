"""Rendering of records for the terminal (rich) and for pipes (JSON Lines)."""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
from collections.abc import Iterable

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.table import Table
from rich.text import Text

from searcher.cli.sanitize import sanitizing
from searcher.messages import t
from searcher.query.parse import ParsedQuery
from searcher.records import Result, Section
from searcher.tools.explore.reading import (
    Block,
    BlockKind,
    SectionContext,
    is_number,
    text_blocks,
)


def stdout_console(no_color: bool = False) -> Console:
    return sanitizing(Console(no_color=no_color or bool(os.environ.get("NO_COLOR")),
                              soft_wrap=False))


def stderr_console(no_color: bool = False, *, wrap: bool = False) -> Console:
    """Diagnostics: never wrapped, so an error stays one greppable line; `wrap` folds them at
    word boundaries to the terminal instead (the repl, where nobody greps)."""
    return sanitizing(Console(stderr=True, no_color=no_color or bool(os.environ.get("NO_COLOR")),
                              soft_wrap=not wrap))


def error(e: BaseException) -> None:
    """One line on stderr: `error: <message>` (the message is never read as markup)."""
    stderr_console().print(Text.assemble((t("error"), "red"), " ", str(e)))


def note(text: str, no_color: bool = False) -> None:
    stderr_console(no_color).print(Text(text))


def emit_jsonl(records: Iterable[dict]) -> None:
    """One JSON object per line on stdout (UTF-8, no ASCII escaping)."""
    out = sys.stdout
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    out.flush()


HEADING_MAX = 200  # characters of a hit's breadcrumb/title in the results table
NUMBER_HEADER_WIDTH = 10  # a number column's header words longer than this are folded
_WORD = re.compile(r"[^\W_]+(?:[-/:.,][^\W_]+)*", re.UNICODE)


def snippet(text: str, patterns: list[re.Pattern], width: int = 240) -> Text:
    """A window of `text` around the first match, with every match highlighted."""
    flat = re.sub(r"\s+", " ", text).strip()
    first = None
    for p in patterns:
        m = p.search(flat)
        if m and (first is None or m.start() < first):
            first = m.start()
    start = max(0, (first or 0) - width // 3)
    if start > 0:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    piece = flat[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(flat) else ""
    t = Text(prefix + piece + suffix)
    for p in patterns:
        t.highlight_regex(p, style="bold yellow")
    return t


def query_patterns(query: ParsedQuery | str, texts: Iterable[str]) -> list[re.Pattern]:
    """Regexes for exactly what `query` matches in `texts`: inflections, compound parts,
    identifiers (searcher.tools.highlight decides; the surfaces it marks become patterns)."""
    from searcher.tools.highlight import spans

    surfaces: set[str] = set()
    for text in texts:
        surfaces.update(text[a:b] for a, b in spans(query, text))
    pats = []
    for surface in sorted((x for x in surfaces if x.strip()), key=len, reverse=True):
        words = [re.escape(w) for w in surface.split()]
        pats.append(re.compile(r"(?<![^\W_])" + r"\s+".join(words) + r"(?![^\W_])", re.I))
    return pats


#: Snippet lines per hit: compact below WIDE_COLUMNS terminal columns.
SNIPPET_LINES = {False: 2, True: 3}
WIDE_COLUMNS = 100
INDENT = 5  # the rank column: "  12 "


class ResultsView:
    """Hits sized to the terminal at render time, never wider than it: rank, document and
    §/heading; id, Dnr, page and which arm found it (rank in each); a highlighted snippet of
    two lines (three from WIDE_COLUMNS columns). --explain adds the raw scores."""

    def __init__(self, results: Iterable[Result], patterns: list[re.Pattern], explain: bool):
        self.results, self.patterns, self.explain = list(results), patterns, explain

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        width = max(options.max_width, 30)
        for i, r in enumerate(self.results):
            if i:
                yield Text("")
            yield from hit_lines(r, self.patterns, width, self.explain)


def results_table(results: Iterable[Result], patterns: list[re.Pattern],
                  explain: bool) -> ResultsView:
    """The hits as the terminal shows them (see ResultsView)."""
    return ResultsView(results, patterns, explain)


def hit_lines(r: Result, patterns: list[re.Pattern], width: int, explain: bool) -> list[Text]:
    """One hit as lines of at most `width` characters."""
    s = r.section
    room = width - INDENT
    head = Text(f"{r.rank:>{INDENT - 1}} ", style="bold")
    head.append(s.doc, style="cyan")
    head.append("  " + heading_of(s)[:HEADING_MAX], style="bold")
    head.truncate(width, overflow="ellipsis")
    facts = [s.section_id] + ([f"Dnr {s.dnr}"] if s.dnr else [])
    facts += [f"{t('page')} {s.page}"] if s.page else []
    facts.append(found_by(r))
    meta = Text(" " * INDENT + " · ".join(facts), style="dim")
    meta.truncate(width, overflow="ellipsis")
    lines = [head, meta]
    n = SNIPPET_LINES[width >= WIDE_COLUMNS]
    flat = snippet(s.text, patterns, width=n * room).plain
    wrapped = textwrap.wrap(flat, room) or [""]
    if len(wrapped) > n:
        wrapped = wrapped[:n]
        wrapped[-1] = wrapped[-1][: room - 1].rstrip() + "…"
    for line in wrapped:
        text = Text(" " * INDENT + line)
        for p in patterns:
            text.highlight_regex(p, style="bold yellow")
        lines.append(text)
    if explain:
        scores = Text(" " * INDENT + raw_scores(r), style="dim")
        scores.truncate(width, overflow="ellipsis")
        lines.append(scores)
        features = " · ".join(f"{name} {value:.3f}" for name, value in r.features)
        lines.extend(Text(" " * INDENT + line, style="dim")
                     for line in textwrap.wrap(features, room))
    return lines


def found_by(r: Result) -> str:
    """Which arm(s) found a hit, with its rank in each: `words #1, meaning #3`."""
    arms = []
    if r.lexical_rank is not None:
        arms.append(f"{t('arm_lexical')} #{r.lexical_rank}")
    if r.semantic_rank is not None:
        arms.append(f"{t('arm_semantic')} #{r.semantic_rank}")
    return ", ".join(arms) or t("arm_filters")


def raw_scores(r: Result) -> str:
    """The numbers behind a rank (--explain): fused score and both arms' rank and score (an arm
    that did not find the hit still scores it: the fusion scores the union in both arms)."""
    parts = [f"{t('score_label')} {r.score:.4f}"]
    for arm, rank, score in ((t("arm_lexical"), r.lexical_rank, r.lexical_score),
                             (t("arm_semantic"), r.semantic_rank, r.semantic_score)):
        if rank is not None or score is not None:
            shown_rank = f"#{rank}" if rank is not None else "–"
            parts.append(f"{arm} {shown_rank} {score or 0.0:.3f}")
    return " · ".join(parts)


def heading_of(s: Section) -> str:
    """`§ 261 Title` or `Chapter › Heading`: how a section is named in lists, on one line
    (a title holding line breaks would break a hit's compact layout)."""
    label = f"§ {s.paragraph} " if s.paragraph else ""
    return " ".join((label + " › ".join(dict.fromkeys((*s.breadcrumb, s.title)))).split())


def section_view(ctx: SectionContext, patterns: list[re.Pattern] | None = None) -> Group:
    """A whole section, readable: neighbours before (dim), metadata, body, neighbours after."""
    parts: list[RenderableType] = [_neighbour(s, "↑") for s in ctx.before]
    if ctx.before:
        parts.append(Text(""))
    s = ctx.section
    meta = Text(heading_of(s), style="bold")
    fields = [
        (t("f_id"), s.section_id), (t("f_doc"), s.doc), (t("f_dnr"), s.dnr),
        (t("f_kommun"), s.municipality), (t("f_organ"), s.organ), (t("f_type"), s.doc_type),
        (t("f_date"), s.date), (t("f_page"), str(s.page) if s.page else None),
        (t("f_arende"), s.arende),
    ]
    for k, v in fields:
        if v:
            meta.append(f"\n{k}: ", style="dim")
            meta.append(v)
    parts.append(meta)
    parts.extend(body(s.text, patterns or []))
    if ctx.after:
        parts.append(Text(""))
    parts.extend(_neighbour(x, "↓") for x in ctx.after)
    return Group(*parts)


def _neighbour(s: Section, arrow: str) -> Text:
    """A neighbouring section as a dim header: id, heading, the start of its first paragraph."""
    first = next((b.text for b in text_blocks(s.text)
                  if b.kind is BlockKind.paragraph and b.text.strip() != s.title.strip()), "")
    first = re.sub(r"\s+", " ", first)
    t = Text(f"{arrow} {s.section_id}  ", style="dim cyan")
    t.append(heading_of(s)[:160], style="dim bold")
    if first:
        t.append("\n  " + first[:160] + ("…" if len(first) > 160 else ""), style="dim")
    return t


def body(text: str, patterns: list[re.Pattern]) -> list[RenderableType]:
    """Headings bold, paragraphs as they are (wrapped by the terminal), tables as tables."""
    out: list[RenderableType] = []
    for block in text_blocks(text):
        if block.kind is BlockKind.table:
            out.extend([Text(""), _BlockTable(block, patterns)])
            continue
        t = Text(block.text, style="bold" if block.kind is BlockKind.heading else "")
        for p in patterns:
            t.highlight_regex(p, style="bold yellow")
        out.extend([Text(""), t])
    return out


class _BlockTable:
    """A text table sized at render time: when it does not fit, number columns keep their width
    (headers wrap) and text columns share the rest."""

    def __init__(self, block: Block, patterns: list[re.Pattern]):
        self.block, self.patterns = block, patterns

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        block = self.block
        n = max(len(r) for r in block.rows)
        rows = [list(r) + [""] * (n - len(r)) for r in block.rows]
        head, data = (rows[0], rows[1:]) if block.header else ([""] * n, rows)
        numeric = []
        for i in range(n):
            cells = [r[i] for r in data if r[i]]
            numeric.append(bool(cells) and sum(map(is_number, cells)) > len(cells) / 2)
        widths = _fit_widths(head, data, numeric, options.max_width - 3 * (n - 1))
        table = Table(box=box.SIMPLE_HEAD, show_header=block.header, show_edge=False,
                      pad_edge=False)
        for i, title in enumerate(head):
            table.add_column(title, justify="right" if numeric[i] else "left",
                             header_style="bold", width=widths[i] if widths else None,
                             overflow="fold")
        for r in data:
            cells = [Text(c) for c in r]
            for c in cells:
                for p in self.patterns:
                    c.highlight_regex(p, style="bold yellow")
            table.add_row(*cells)
        yield table


def _fit_widths(head: list[str], data: list[list[str]], numeric: list[bool],
                room: int) -> list[int] | None:
    """Column widths that fit `room` characters, or None when the natural widths already fit."""
    natural = [max(len(c) for c in (head[i], *(r[i] for r in data))) for i in range(len(head))]
    if sum(natural) <= room:
        return None
    fixed = [max(max(len(r[i]) for r in data), *(min(len(w), NUMBER_HEADER_WIDTH)
                                                  for w in head[i].split()), 1)
             if numeric[i] else 0 for i in range(len(head))]
    left = room - sum(fixed)
    text_natural = sum(w for w, num in zip(natural, numeric, strict=True) if not num)
    if left < 8 * (len(head) - sum(numeric)) or not text_natural:
        return None  # too narrow to be clever: let rich squeeze every column
    return [f if num else max(8, min(w, left * w // text_natural))
            for f, w, num in zip(fixed, natural, numeric, strict=True)]


def sections_table(sections: Iterable[Section]) -> Table:
    table = Table(expand=True)
    table.add_column(t("f_id"), no_wrap=True, style="cyan")
    table.add_column("§", no_wrap=True)
    table.add_column(t("f_dnr"), no_wrap=True)
    table.add_column(t("f_title"), ratio=1)
    table.add_column(t("f_chars"), justify="right")
    for s in sections:
        table.add_row(s.section_id, s.paragraph or "", s.dnr or "",
                      " › ".join(dict.fromkeys((*s.breadcrumb, s.title))), str(len(s.text)))
    return table


def emit_lines(lines: Iterable[str]) -> None:
    """Plain lines on stdout (`search -l`)."""
    out = sys.stdout
    for line in lines:
        out.write(f"{line}\n")
    out.flush()


def totals_line(response, *, hint: bool = True) -> str:
    """`10 of 465 hits (lexical)`; for a filter-only query, `3 of 3 sections match …`; `hint`
    adds how to see more when there are."""
    from searcher.engine import LISTING_MODE

    shown = len(response.results)
    if response.mode == LISTING_MODE:
        line = t("listed_of", shown=shown, total=response.total)
    elif response.total is not None and response.total >= shown:
        line = t("hits_of", shown=shown, total=response.total, mode=response.mode)
    elif response.total is not None:  # hybrid: more hits than sections holding the words
        line = t("hits_by_meaning", shown=shown, total=response.total, mode=response.mode)
    else:
        line = t("hits", shown=shown, mode=response.mode)
    if hint and response.total is not None and response.total > shown:
        line += f" · {t('more_hint')}"
    return line


def values_table(found) -> Table:
    """`searcher values`: one row per value with its documents and sections."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(t("f_value"), style="cyan")
    table.add_column(t("f_documents"), justify="right")
    table.add_column(t("f_sections"), justify="right")
    for v in found:
        table.add_row(v.value, str(v.documents), str(v.sections))
    return table
