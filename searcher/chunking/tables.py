"""Tab-separated tables → readable rows for the embedding model.

A section keeps its tables whole as text (that is what is indexed and shown); the encoder gets
each data row spelled out against the column headers, which an embedding model reads far better
than a grid of numbers: "Avdelning vuxna — Intäkt utfall 2020: 31 256; Netto utfall 2020: …".
"""

from __future__ import annotations

MIN_COLUMNS = 2


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def _is_row(line: str) -> bool:
    return line.count("\t") >= MIN_COLUMNS - 1 and sum(1 for c in _cells(line) if c) >= MIN_COLUMNS


def render_row(header: list[str], cells: list[str]) -> str:
    """One data row as "label — column: value; …" (empty cells skipped)."""
    label, values = cells[0], cells[1:]
    pairs = []
    for i, value in enumerate(values, start=1):
        if not value:
            continue
        name = header[i] if i < len(header) and header[i] else ""
        pairs.append(f"{name}: {value}" if name else value)
    if not pairs:
        return label
    return f"{label} — {'; '.join(pairs)}" if label else "; ".join(pairs)


def render_tables(text: str) -> str:
    """`text` with every run of ≥ 2 tab-separated lines rewritten as readable rows."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _is_row(lines[j]):
            j += 1
        if j - i >= 2:
            header = _cells(lines[i])
            title = header[0]
            if title:
                out.append(f"{title}:")
            out.extend(render_row(header, _cells(row)) for row in lines[i + 1 : j])
            i = j
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)
