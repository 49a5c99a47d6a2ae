"""Rendering of records for the terminal (rich) and for pipes (JSON Lines)."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.table import Table
from rich.text import Text

from searcher.cli.sanitize import sanitizing
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


def stderr_console(no_color: bool = False) -> Console:
    """Diagnostics: never wrapped, so an error stays one greppable line."""
    return sanitizing(Console(stderr=True, no_color=no_color or bool(os.environ.get("NO_COLOR")),
                              soft_wrap=True))


def error(e: BaseException) -> None:
    """One line on stderr: `error: <message>` (the message is never read as markup)."""
    stderr_console().print(Text.assemble(("error:", "red"), " ", str(e)))


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


def query_patterns(query: str, texts: Iterable[str]) -> list[re.Pattern]:
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


def results_table(results: Iterable[Result], patterns: list[re.Pattern], explain: bool) -> Table:
    """One row per hit: rank, where (document, §/heading, id) over a highlighted snippet, score."""
    table = Table(show_lines=True, expand=True, pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("träff", ratio=1, overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    for r in results:
        s = r.section
        cell = Text(s.doc, style="cyan")
        heading = heading_of(s)
        if len(heading) > HEADING_MAX:
            heading = heading[: HEADING_MAX - 1] + "…"
        cell.append(f"  {heading}", style="bold")
        facts = [s.section_id] + ([f"Dnr {s.dnr}"] if s.dnr else [])
        facts += [f"s. {s.page}"] if s.page else []
        cell.append("\n" + " · ".join(facts) + "\n", style="dim")
        cell.append_text(snippet(s.text, patterns))
        score = f"{r.score:.4f}"
        if explain:
            score += f"\nlex {_arm(r.lexical_rank, r.lexical_score)}"
            score += f"\nsem {_arm(r.semantic_rank, r.semantic_score)}"
        table.add_row(str(r.rank), cell, score)
    return table


def _arm(rank: int | None, score: float | None) -> str:
    return "–" if rank is None else f"#{rank} {score:.3f}"


def heading_of(s: Section) -> str:
    """`§ 261 Title` or `Chapter › Heading`: how a section is named in lists."""
    label = f"§ {s.paragraph} " if s.paragraph else ""
    return label + " › ".join(dict.fromkeys((*s.breadcrumb, s.title)))


def section_view(ctx: SectionContext, patterns: list[re.Pattern] | None = None) -> Group:
    """A whole section, readable: neighbours before (dim), metadata, body, neighbours after."""
    parts: list[RenderableType] = [_neighbour(s, "↑") for s in ctx.before]
    if ctx.before:
        parts.append(Text(""))
    s = ctx.section
    meta = Text(heading_of(s), style="bold")
    fields = [
        ("id", s.section_id), ("dokument", s.doc), ("Dnr", s.dnr), ("kommun", s.municipality),
        ("organ", s.organ), ("typ", s.doc_type), ("datum", s.date),
        ("sida", str(s.page) if s.page else None), ("ärende", s.arende),
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
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("§", no_wrap=True)
    table.add_column("Dnr", no_wrap=True)
    table.add_column("titel", ratio=1)
    table.add_column("tecken", justify="right")
    for s in sections:
        table.add_row(s.section_id, s.paragraph or "", s.dnr or "",
                      " › ".join(dict.fromkeys((*s.breadcrumb, s.title))), str(len(s.text)))
    return table
