"""PDF → text via its text layer (pypdfium2), with the offset where each page starts.

pypdfium2 (PDFium, Apache-2.0/BSD) was chosen over pypdf and pdfplumber on the original
protocol PDFs of ../shared/protocols-dev: the same §, Dnr and titles from all three, 17× faster
than pypdf and 40× faster than pdfplumber (`scripts/compare_pdf_extractors.py`); PyMuPDF is
AGPL and not an option.

Words hyphenated at a line end are joined ("an-" / "märkning" → "anmärkning"; "Barn-" / "och"
stays). Scanned PDFs have no text layer; they are refused with "no text (scanned?)" and the
advice to OCR them first (`ocrmypdf in.pdf out.pdf`) rather than indexed as empty. Encrypted and
corrupt files are refused with the reason.
"""

from __future__ import annotations

import re

from searcher.ingest.decoding import UndecodableError

NO_TEXT = "no text (scanned?): no text layer; OCR it first, e.g. `ocrmypdf in.pdf out.pdf`"
HYPHEN_BREAK = re.compile(
    r"(?P<head>[a-zåäöéü]{2,})[-\u00ad][ \t]*\n(?P<indent>[ \t]*)(?P<rest>[a-zåäöéü]+)\b[ \t]?"
)
# "Barn- och ungdomsnämnden", "kultur- samt fritidsnämnden": a suspended compound, not a break
SUSPENSION_WORDS = frozenset("och eller samt respektive som till än".split())
# A page with fewer visible characters than this is treated as having no text (scan noise).
MIN_CHARS_PER_PAGE = 20
# pypdfium2 raises PdfiumError for damaged and locked files; these escape on odd input too.
CORRUPT_PDF_ERRORS: tuple[type[Exception], ...] = (ValueError, OSError, RuntimeError)
PASSWORD_ERROR = "password"  # PdfiumError's text for an encrypted file ("Incorrect password")


def read_pdf(data: bytes) -> tuple[str, tuple[int, ...]]:
    """Text of every page joined by a blank line, and each page's start offset."""
    import pypdfium2 as pdfium  # imported here: only PDF ingestion needs it

    try:
        doc = pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, *CORRUPT_PDF_ERRORS) as e:
        if PASSWORD_ERROR in str(e).lower():
            raise UndecodableError("encrypted PDF; remove the password first") from None
        raise UndecodableError(f"corrupt PDF ({type(e).__name__}: {e})") from None
    try:
        pages = [_page_text(doc, i) for i in range(len(doc))]
    except (pdfium.PdfiumError, *CORRUPT_PDF_ERRORS) as e:
        raise UndecodableError(f"corrupt PDF ({type(e).__name__}: {e})") from None
    finally:
        doc.close()
    if not pages:
        raise UndecodableError("PDF has no pages")
    visible = sum(len("".join(p.split())) for p in pages)
    if visible < MIN_CHARS_PER_PAGE * len(pages) / 4:
        raise UndecodableError(NO_TEXT)
    return join_pages(pages)


def _page_text(doc, index: int) -> str:
    page = doc[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()


def join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """Pages joined by a blank line, line-end hyphens joined, and each page's start offset."""
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for page in pages:
        clean = page.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip("\n")
        clean = join_hyphenated(clean)
        starts.append(pos)
        parts.append(clean)
        pos += len(clean) + 2  # the "\n\n" that joins pages
    return "\n\n".join(parts), tuple(starts)


def join_hyphenated(text: str) -> str:
    """ "an-\nmärkning i" → "anmärkning\ni": the word whole on the first line. A suspended
    compound ("Barn-\noch ungdomsnämnden", "kultur-\nsamt") keeps its hyphen and line break."""

    def join(m: re.Match[str]) -> str:
        if m.group("rest").lower() in SUSPENSION_WORDS:
            return m.group(0)
        word = f"{m.group('head')}{m.group('rest')}"
        if m.string[m.end() : m.end() + 1] in ("", "\n"):  # the word was all of its line
            return word
        return f"{word}\n{m.group('indent')}"

    return HYPHEN_BREAK.sub(join, text)
