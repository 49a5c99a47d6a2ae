"""Bytes of a plain-text file → str: UTF-8 or a legacy Windows/ISO encoding, never a crash.

Swedish files from kommuner come as UTF-8, cp1252 (Word's "ANSI") or latin-1, sometimes with a BOM
or stray NUL bytes from a bad export. We pick the encoding from the bytes themselves (no chardet):
valid UTF-8 wins; otherwise cp1252 when its 0x80–0x9F punctuation is present, else latin-1, which
maps every byte, so decoding can never fail. Binary files are refused, not decoded into garbage.
"""

from __future__ import annotations

import codecs

# Magic numbers of formats that must never be read as text.
BINARY_SIGNATURES: dict[bytes, str] = {
    b"%PDF-": "a PDF (give it the .pdf suffix)",
    b"PK\x03\x04": "a ZIP container (DOCX/XLSX/ODT?)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "an old Office (OLE) file",
}

SNIFF_BYTES = 8192
MAX_NUL_SHARE = 0.30  # a few NULs are export noise; a third or more is UTF-16 or binary
MAX_CONTROL_SHARE = 0.05
# Control bytes that plain text may contain: tab, LF, VT, FF, CR, and ESC (rare but harmless).
TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b")
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
# Up to this share of bytes may be invalid UTF-8 before we decide the file is not UTF-8 at all.
MAX_BAD_UTF8_SHARE = 0.001


class UndecodableError(ValueError):
    """The bytes are not text; the message is the reason, for the caller to wrap."""


def decode_text(data: bytes) -> str:
    """Decode a text file's bytes; NUL bytes are dropped; raise UndecodableError for binary data."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").replace("\x00", "")
    _refuse_binary(data)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    data = data.replace(b"\x00", b"")
    return _decode_8bit(data)


def _refuse_binary(data: bytes) -> None:
    for magic, what in BINARY_SIGNATURES.items():
        if data.startswith(magic):
            raise UndecodableError(f"binary file: looks like {what}")
    head = data[:SNIFF_BYTES]
    if not head:
        return
    controls = sum(1 for b in head if b < 0x20 and b not in TEXT_CONTROLS and b != 0)
    if controls / len(head) > MAX_CONTROL_SHARE:
        raise UndecodableError("binary file: too many control bytes for text")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text has a NUL in every other byte; anything else NUL-heavy is binary."""
    head = data[:SNIFF_BYTES]
    nuls = head.count(0)
    if not head or nuls / len(head) <= MAX_NUL_SHARE:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    codec = (
        "utf-16-le"
        if odd > 0.9 * nuls and odd > 0.6 * half
        else "utf-16-be"
        if even > 0.9 * nuls and even > 0.6 * half
        else None
    )
    if codec is None:
        raise UndecodableError("binary file: too many NUL bytes for text")
    return data[: len(data) // 2 * 2].decode(codec, errors="replace").replace("\x00", "")


def _decode_8bit(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd") - data.decode("latin-1").count("\ufffd")
    multibyte = sum(1 for ch in lenient if ord(ch) > 0x7F and ch != "\ufffd")
    if multibyte > bad and bad <= max(1, MAX_BAD_UTF8_SHARE * len(data)):
        return lenient  # UTF-8 with a few damaged bytes: keep the good text
    high_controls = {b for b in data if 0x80 <= b <= 0x9F}
    if high_controls and not high_controls & CP1252_UNDEFINED:
        return data.decode("cp1252")
    return data.decode("latin-1")
