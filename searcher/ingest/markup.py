"""HTML and DOCX → plain text with the standard library only.

Block elements (paragraphs, headings, list items, table rows) become lines separated by blank
lines; table cells are joined by tabs, as the chunkers expect of tables. Words are never changed.
"""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from io import BytesIO
from xml.etree import ElementTree

from searcher.ingest.decoding import UndecodableError, decode_text

BLOCK_TAGS = frozenset(
    "p div section article header footer main aside h1 h2 h3 h4 h5 h6 li ul ol table tr "
    "blockquote pre dl dt dd figure figcaption title address".split()
)
CELL_TAGS = frozenset({"td", "th"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head"})
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Uncompressed size of a DOCX's document.xml read at most: ~10 million characters of text
#: (store/reading.MAX_TEXT_CHARS) in Word's markup. A zip bomb (a few hundred KB expanding to
#: gigabytes) is refused from its declared size, and a lying header by the bounded read.
MAX_DOCX_XML_BYTES = 64 * 2**20


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.out.append("\n\n")
        elif tag == "br":
            self.out.append("\n")
        elif tag in CELL_TAGS:
            self.out.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK_TAGS:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(re.sub(r"[ \t\r\n]+", " ", data))


def read_html(data: bytes) -> tuple[str, tuple[int, ...]]:
    parser = _TextParser()
    parser.feed(decode_text(data))
    parser.close()
    return _tidy("".join(parser.out)), ()


def read_docx(data: bytes) -> tuple[str, tuple[int, ...]]:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            root = ElementTree.fromstring(_bounded_read(z, "word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError) as e:
        raise UndecodableError(f"not a readable DOCX ({type(e).__name__}: {e})") from None
    body = root.find(f"{W}body")
    blocks = [] if body is None else [_docx_block(el) for el in body]
    return _tidy("\n\n".join(b for b in blocks if b.strip())), ()


def _bounded_read(z: zipfile.ZipFile, name: str) -> bytes:
    """An archive member's bytes, refused before extraction when it is larger than
    MAX_DOCX_XML_BYTES uncompressed (declared or, for a lying header, actually read)."""
    declared = z.getinfo(name).file_size
    limit = f"{MAX_DOCX_XML_BYTES / 2**20:.0f} MiB"
    if declared > MAX_DOCX_XML_BYTES:
        raise UndecodableError(f"DOCX text part too large uncompressed ({declared / 2**20:,.0f} "
                               f"MiB; the limit is {limit}): refused before extracting")
    with z.open(name) as f:
        raw = f.read(MAX_DOCX_XML_BYTES + 1)
    if len(raw) > MAX_DOCX_XML_BYTES:
        raise UndecodableError(f"DOCX text part larger than its header says (over {limit})")
    return raw


def _docx_block(el: ElementTree.Element) -> str:
    if el.tag == f"{W}tbl":
        rows = []
        for tr in el.iter(f"{W}tr"):
            cells = [" ".join(_docx_para(p) for p in tc.iter(f"{W}p")) for tc in tr.iter(f"{W}tc")]
            rows.append("\t".join(c.strip() for c in cells))
        return "\n".join(rows)
    if el.tag == f"{W}p":
        return _docx_para(el)
    return ""


def _docx_para(p: ElementTree.Element) -> str:
    out = []
    for node in p.iter():
        if node.tag == f"{W}t" and node.text:
            out.append(node.text)
        elif node.tag == f"{W}tab":
            out.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr"):
            out.append("\n")
    return "".join(out)


def _tidy(text: str) -> str:
    """Trim spaces at line ends and collapse runs of blank lines."""
    lines = [ln.strip(" ") for ln in text.replace("\xa0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
