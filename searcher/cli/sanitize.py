"""The one sanitiser for text printed to a terminal: document text, titles and file names may
hold escape sequences (clear the screen, set the window title, fake a hyperlink), so control
and bidirectional-formatting characters are shown as `\\x1b`-style escapes instead of obeyed.

JSON output is not touched (it escapes control characters itself and must stay exact). Every
console the CLI prints through (searcher.cli.render) carries `SanitizeHook`, so each piece of
text is sanitised after rich has laid it out, and rich's own styling codes are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from rich.console import Console, ConsoleOptions, RenderableType, RenderHook
from rich.segment import Segment

#: C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), zero-width and
#: bidirectional formatting marks (text that displays other than it reads), line separators.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """`text` with every unsafe character shown as an escape (`\\x1b`, `\\u202e`); newlines and
    tabs are kept, everything printable is unchanged."""
    return UNSAFE.sub(_escape, text) if UNSAFE.search(text) else text


class _Sanitized:
    """A renderable whose text segments are sanitised (rich's control segments are its own)."""

    def __init__(self, inner: RenderableType):
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for seg in console.render(self.inner, options):
            if seg.control or not UNSAFE.search(seg.text):
                yield seg
            else:
                yield Segment(for_terminal(seg.text), seg.style)


class SanitizeHook(RenderHook):
    """Wraps everything a console prints in `_Sanitized`."""

    def process_renderables(self, renderables: list) -> list:
        return [_Sanitized(r) for r in renderables]


def sanitizing(console: Console) -> Console:
    """The console, with every text it prints sanitised from now on."""
    console.push_render_hook(SanitizeHook())
    return console


class _TerminalWriter:
    """A text stream that sanitises what is written to it."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(for_terminal(text))

    def flush(self) -> None:
        self._stream.flush()


def for_terminal_stream(stream: TextIO) -> TextIO:
    """`stream` itself when it is not a terminal (a file, a pipe: bytes stay exact), else a
    writer that sanitises (for text written without rich, e.g. Markdown export to stdout)."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return _TerminalWriter(stream) if tty else stream  # type: ignore[return-value]
