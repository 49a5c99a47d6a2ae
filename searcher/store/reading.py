"""One source file read and split under a time limit: its Document, Sections and table of
contents, or a SkipFile with a one-line reason.

Readers and chunkers (searcher.ingest, searcher.chunking) run under a time limit, and any
exception of theirs becomes a skip: a reader or chunker bug never stops an indexing run.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from searcher.chunking import split_document, table_of_contents
from searcher.chunking.residue import outside_text
from searcher.errors import BadInputError
from searcher.ingest import load_document
from searcher.ingest.discover import SkipFile, SourceFile, one_line, shown
from searcher.records import Document, Section

#: About 5,000 pages of text: more is an export gone wrong, not one document.
MAX_TEXT_CHARS = 10_000_000
#: A "line" longer than this is not running text (minified data, a dump without newlines).
MAX_LINE_CHARS = 1_000_000
#: Text with more than this share of control or undecodable characters is not text: random
#: bytes decode "successfully" as latin-1, and would be indexed as gibberish.
MAX_UNREADABLE_SHARE = 0.10
_UNREADABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")
#: Seconds a reader and chunker may spend on one file before it is skipped.
READ_TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class Loaded:
    """One file read and split."""

    document: Document
    sections: list[Section]
    toc: str


class _Timeout(BaseException):
    """Raised by the watchdog; a BaseException so a reader's `except Exception` cannot eat it."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (main thread only, when no other timer is set)."""
    usable = (seconds > 0 and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))
    if not usable:
        yield
        return

    def expire(_signum, _frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _strip_path(message: str, path: Path) -> str:
    for prefix in (f"{path}: ", f"{shown(path)}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def check_text(text: str) -> None:
    """Refuse text that is too large, or a giant single line, before chunking and analysis."""
    if len(text) > MAX_TEXT_CHARS:
        raise SkipFile(f"too much text ({len(text):,} characters; the limit is "
                       f"{MAX_TEXT_CHARS:,})")
    longest = max(map(len, text.split("\n")))
    if longest > MAX_LINE_CHARS:
        raise SkipFile(f"a single line of {longest:,} characters (the limit is "
                       f"{MAX_LINE_CHARS:,}): not running text")
    unreadable = len(_UNREADABLE.findall(text))
    if unreadable > MAX_UNREADABLE_SHARE * len(text):
        raise SkipFile(f"mostly unreadable characters ({unreadable / len(text):.0%} control or "
                       f"undecodable): not text in an encoding we know")


def read_source(src: SourceFile, overrides: Mapping[str, str], *,
                timeout_s: float | None = None) -> Loaded:
    """Load and split one file; every failure becomes SkipFile with a one-line reason."""
    timeout_s = READ_TIMEOUT_S if timeout_s is None else timeout_s
    try:
        with _deadline(timeout_s):
            document = load_document(src.path, doc=src.doc, overrides=dict(overrides) or None,
                                     follow_symlinks=src.follow_symlinks)
            check_text(document.text)
            sections = split_document(document)
            toc = table_of_contents(document) if sections else ""
    except SkipFile:
        raise
    except BadInputError as e:
        raise SkipFile(one_line(_strip_path(str(e), src.path))) from None
    except _Timeout:
        raise SkipFile(f"reading and splitting took longer than {timeout_s:g} s") from None
    except MemoryError:
        raise SkipFile("out of memory while reading") from None
    except RecursionError:
        raise SkipFile("too deeply nested to read") from None
    except Exception as e:  # a reader or chunker bug must not stop the run; say it is one
        raise SkipFile(one_line(
            f"internal error while reading ({type(e).__name__}: {e}); please report it"
        )) from None
    if not sections:
        raise SkipFile("no text to index")
    # What no section holds, for `mentions`: outside the reader's time limit, which is meant for
    # the reader and chunker (it is linear in the text beyond MAX_ALIGN_LINES lines).
    return Loaded(document, sections, outside_text(document, sections, toc))
