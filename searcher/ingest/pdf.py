"""PDF → text via its text layer (pypdf), with the offset where each page starts.

Scanned PDFs have no text layer; they are refused with "no text layer; OCR it first" rather than
indexed as empty. Encrypted and corrupt files are refused with the reason.
"""

from __future__ import annotations

import io
import logging

from searcher.ingest.decoding import UndecodableError

# A page with fewer visible characters than this is treated as having no text (scan noise).
MIN_CHARS_PER_PAGE = 20
# Structural errors pypdf lets escape on damaged files, beside its own PyPdfError tree.
CORRUPT_PDF_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    RecursionError,
    ZeroDivisionError,
    OSError,
)


def read_pdf(data: bytes) -> tuple[str, tuple[int, ...]]:
    """Text of every page joined by a blank line, and each page's start offset."""
    from pypdf import PdfReader  # imported here: only PDF ingestion needs it
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every odd xref
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UndecodableError("encrypted PDF; remove the password first")
        pages = [(page.extract_text() or "") for page in reader.pages]
    except FileNotDecryptedError:
        raise UndecodableError("encrypted PDF; remove the password first") from None
    except DependencyError:  # AES without the optional `cryptography` package
        raise UndecodableError("encrypted PDF (AES); reading it needs the `cryptography` "
                               "package, or remove the encryption first") from None
    except (PyPdfError, *CORRUPT_PDF_ERRORS) as e:
        raise UndecodableError(f"corrupt PDF ({type(e).__name__}: {e})") from None
    if not pages:
        raise UndecodableError("PDF has no pages")
    visible = sum(len("".join(p.split())) for p in pages)
    if visible < MIN_CHARS_PER_PAGE * len(pages) / 4:
        raise UndecodableError("no text layer; OCR it first")
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for page in pages:
        clean = page.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip("\n")
        starts.append(pos)
        parts.append(clean)
        pos += len(clean) + 2  # the "\n\n" that joins pages
    return "\n\n".join(parts), tuple(starts)
