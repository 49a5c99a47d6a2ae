"""Files → Document: pick a reader by suffix, decode to text, detect and override metadata.

`SourceFormat` is the one table of what the product can read; the indexer uses
`SUPPORTED_SUFFIXES` to pick files from a folder. Every unreadable file raises BadInputError with
one line that names the file and the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from searcher.errors import BadInputError
from searcher.ingest.decoding import UndecodableError, decode_text
from searcher.ingest.metadata import apply_overrides, detect_meta, name_fallback, read_sidecar
from searcher.records import Document

# A reader turns file bytes into (text, page_starts) or raises UndecodableError with the reason.
Reader = Callable[[bytes], tuple[str, tuple[int, ...]]]


class SourceFormat(StrEnum):
    """The file formats we read, keyed by what their reader does."""

    text = "text"  # .txt, .md: UTF-8 or a legacy encoding
    pdf = "pdf"  # text layer via pypdfium2, with page offsets
    html = "html"  # stdlib html.parser
    docx = "docx"  # stdlib zipfile + XML


SUFFIX_FORMATS: dict[str, SourceFormat] = {
    ".txt": SourceFormat.text,
    ".md": SourceFormat.text,
    ".pdf": SourceFormat.pdf,
    ".html": SourceFormat.html,
    ".htm": SourceFormat.html,
    ".docx": SourceFormat.docx,
}
SUPPORTED_SUFFIXES = frozenset(SUFFIX_FORMATS)


def is_supported(path: Path) -> bool:
    """True when `path` has a suffix we can read (case-insensitive); sidecars are not documents."""
    return path.suffix.lower() in SUFFIX_FORMATS and not path.name.endswith(".meta.json")


def load_document(
    path: Path, *, doc: str | None = None, overrides: dict[str, str] | None = None,
    follow_symlinks: bool = False,
) -> Document:
    """Read one file into a Document; `doc` defaults to the file name.

    Metadata: detected from the text, then the sidecar `NAME.meta.json`, then `overrides`.
    """
    path = Path(path)
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        choices = ", ".join(sorted(SUFFIX_FORMATS))
        raise BadInputError(f"{path}: unsupported file type {path.suffix!r}; choose from {choices}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise BadInputError(f"{path}: cannot read file ({e.strerror or e})") from None
    if not data.strip():
        raise BadInputError(f"{path}: empty file")
    try:
        text, page_starts = _reader(fmt)(data)
    except UndecodableError as e:
        raise BadInputError(f"{path}: {e}") from None
    if not text.strip():
        raise BadInputError(f"{path}: no text in file")
    meta = name_fallback(detect_meta(text), path)
    sidecar = read_sidecar(path, follow_symlinks=follow_symlinks)
    if sidecar:
        meta = apply_overrides(meta, sidecar, source=f"{path.name}.meta.json")
    if overrides:
        meta = apply_overrides(meta, dict(overrides), source="metadata override")
    return Document(
        doc=doc or path.name,
        text=text,
        path=str(path),
        page_starts=page_starts,
        meta=meta,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _read_text(data: bytes) -> tuple[str, tuple[int, ...]]:
    """Form feeds (pdftotext's page breaks) become newlines and mark where pages start."""
    text = normalize_newlines(decode_text(data))
    if "\x0c" not in text:
        return text, ()
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\x0c"]
    if starts[-1] >= len(text.rstrip()):
        starts.pop()  # a trailing form feed opens no page
    return text.replace("\x0c", "\n"), tuple(starts)


def normalize_newlines(text: str) -> str:
    """CRLF/CR → LF, so every chunker sees one line convention."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _reader(fmt: SourceFormat) -> Reader:
    # Imported here so plain-text indexing never loads pypdfium2 or the XML stack.
    if fmt is SourceFormat.pdf:
        from searcher.ingest.pdf import read_pdf

        return read_pdf
    if fmt is SourceFormat.html:
        from searcher.ingest.markup import read_html

        return read_html
    if fmt is SourceFormat.docx:
        from searcher.ingest.markup import read_docx

        return read_docx
    return _read_text
