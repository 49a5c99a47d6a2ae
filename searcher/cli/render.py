"""Rendering of records for the terminal (rich) and for pipes (JSON Lines)."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from searcher.records import Result, Section


def stdout_console(no_color: bool = False) -> Console:
    return Console(no_color=no_color or bool(os.environ.get("NO_COLOR")), soft_wrap=False)


def stderr_console(no_color: bool = False) -> Console:
    """Diagnostics: never wrapped, so an error stays one greppable line."""
    return Console(stderr=True, no_color=no_color or bool(os.environ.get("NO_COLOR")),
                   soft_wrap=True)


def emit_jsonl(records: Iterable[dict]) -> None:
    """One JSON object per line on stdout (UTF-8, no ASCII escaping)."""
    out = sys.stdout
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    out.flush()


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


def highlight_patterns(stems: Iterable[str]) -> list[re.Pattern]:
    """Regexes that mark any word starting with a query stem (inflections, compounds' heads)."""
    pats = []
    for s in sorted({s for s in stems if len(s) >= 2}, key=len, reverse=True):
        pats.append(re.compile(rf"(?<![^\W_])({re.escape(s)}[^\W_]*)", re.IGNORECASE))
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
        label = f"§ {s.paragraph} " if s.paragraph else ""
        heading = label + " › ".join(dict.fromkeys((*s.breadcrumb, s.title)))
        cell.append(f"  {heading}"[:200], style="bold")
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


def section_text(section: Section) -> Text:
    """A whole section, readable: metadata header, then the text."""
    t = Text()
    t.append(f"{section.title}\n", style="bold")
    meta = [
        ("id", section.section_id), ("dokument", section.doc),
        ("§", section.paragraph), ("Dnr", section.dnr), ("kommun", section.municipality),
        ("organ", section.organ), ("typ", section.doc_type), ("datum", section.date),
        ("sida", str(section.page) if section.page else None), ("ärende", section.arende),
        ("rubriker", " › ".join(section.breadcrumb) if section.breadcrumb else None),
    ]
    for k, v in meta:
        if v:
            t.append(f"{k}: ", style="dim")
            t.append(f"{v}\n")
    t.append("\n")
    t.append(section.text)
    t.append("\n")
    return t


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
