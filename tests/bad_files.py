"""A folder of bad input, generated: files that must be skipped with a reason, and odd files
that must be indexed anyway. Used by the bad-input suites (library and CLI)."""

from __future__ import annotations

import io
import os
import random
import socket
import zipfile
from pathlib import Path

#: The text of a good one-page PDF: findable as `pdftoken`.
PDF_TEXT = "Kommunstyrelsen beslutar om pdftoken och budget"


def minimal_pdf(text: str | None) -> bytes:
    """A one-page PDF with `text` in its text layer (None: a page with no text at all)."""
    stream = (f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1") if text
              else b"0 0 1 rg 10 10 100 100 re f")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def encrypted_pdf() -> bytes | None:
    """A password-protected PDF (None when pypdf cannot write one)."""
    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError:
        return None
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(minimal_pdf(PDF_TEXT))))
    writer.encrypt(user_password="hemligt", owner_password="ägare")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx(document_xml: str | None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        if document_xml is not None:
            z.writestr("word/document.xml", document_xml)
    return out.getvalue()


def _name(folder: Path, name: str | bytes) -> Path:
    return Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))


def make_bad_files(folder: Path, *, huge: bool = True) -> dict[Path, str]:
    """Write ≥ 30 kinds of file that must be skipped; returns {path: expected reason fragment}."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    text = "Kommunfullmäktige beslutar att anta budgeten. " * 20
    files: dict[str | bytes, tuple[bytes | None, str]] = {
        "empty.txt": (b"", "empty file"),
        "blank.txt": (b"  \n\n\t \r\n  ", "empty file"),
        "random_binary.txt": (bytes(rng.randrange(256) for _ in range(20000)), "binary"),
        "zip_named.txt": (b"PK\x03\x04" + bytes(200), "ZIP"),
        "png_named.txt": (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
        "jpeg_named.md": (b"\xff\xd8\xff\xe0" + bytes(200), "JPEG"),
        "elf_named.txt": (b"\x7fELF\x02\x01\x01" + bytes(200), "executable"),
        "gzip_named.txt": (b"\x1f\x8b\x08\x00" + bytes(200), "gzip"),
        "ole_named.txt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "OLE"),
        "pdf_named.txt": (minimal_pdf(PDF_TEXT), "PDF"),
        "nul_heavy.txt": (b"\x00\x00\x00abc" * 3000, "NUL"),
        "control_bytes.txt": (
            bytes(rng.choice(b"\x01\x02\x03\x04\x05\x06abc") for _ in range(9000)),
            "control bytes"),
        "long_line.txt": (b"ord " * 400_000, "single line"),
        "random_high_bytes.txt": (bytes(rng.randrange(0x80, 0x100) for _ in range(5000)),
                                  "unreadable characters"),
        "corrupt.pdf": (b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(3000)),
                        "PDF"),
        "truncated.pdf": (minimal_pdf(PDF_TEXT)[:300], "PDF"),
        "text_named.pdf": (text.encode(), "PDF"),
        "no_text_layer.pdf": (minimal_pdf(None), "no text layer"),
        "empty.pdf": (b"", "empty file"),
        "not_a_zip.docx": (b"this is not a zip archive at all", "DOCX"),
        "no_document_xml.docx": (_docx(None), "DOCX"),
        "broken_xml.docx": (_docx("<w:document><w:body><w:p>"), "DOCX"),
        "empty_body.docx": (_docx('<w:document xmlns:w="http://schemas.openxmlformats.org/'
                                  'wordprocessingml/2006/main"><w:body/></w:document>'),
                            "no text"),
        "script_only.html": (b"<html><head><script>var x = 1;</script><style>p{}</style>"
                             b"</head><body>   </body></html>", "no text"),
        "bad_sidecar.txt": (text.encode(), "sidecar"),
        "list_sidecar.txt": (text.encode(), "sidecar"),
        b"odd\nname newline.txt": (b"", "empty file"),
        b"latin1_\xe5\xe4\xf6_name.txt": (b"", "empty file"),
        "-leading-dash.txt": (b"", "empty file"),
    }
    if huge:
        files["huge_single_line.txt"] = (b"x" * (50 * 1024 * 1024), "too much text")
    pdf = encrypted_pdf()
    if pdf is not None:
        files["encrypted.pdf"] = (pdf, "encrypted")
    out: dict[Path, str] = {}
    for name, (data, reason) in files.items():
        p = _name(folder, name)
        p.write_bytes(data)
        out[p] = reason
    (folder / "bad_sidecar.txt.meta.json").write_text("{not json", encoding="utf-8")
    (folder / "list_sidecar.txt.meta.json").write_text("[1, 2]", encoding="utf-8")

    specials = {
        "broken_link.txt": lambda p: os.symlink(folder / "does-not-exist.txt", p),
        "link_loop.txt": lambda p: os.symlink(p, p),
        "fifo.txt": os.mkfifo,
        "dev_zero.txt": lambda p: os.symlink("/dev/zero", p),
        "socket.txt": _bind_socket,
    }
    reasons = {"broken_link.txt": "broken symbolic link", "link_loop.txt": "broken symbolic link",
               "fifo.txt": "FIFO", "socket.txt": "socket",
               # issue 19: a link out of the folder is not followed at all (before: "device")
               "dev_zero.txt": "symbolic link leading out of the folder"}
    for name, make in specials.items():
        p = folder / name
        make(p)
        out[p] = reasons[name]
    return out


def _bind_socket(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(str(path))
    finally:
        s.close()


def make_odd_good_files(folder: Path) -> dict[Path, str]:
    """Odd but readable files that must be indexed; returns {path: a word only it contains}."""
    folder.mkdir(parents=True, exist_ok=True)

    def body(tok: str) -> str:
        return f"Kommunstyrelsen beslutar att godkänna {tok} och budgeten för nästa år.\n\n"

    files: list[tuple[str | bytes, bytes, str]] = [
        ("with spaces in name.txt", body("mellanslagstoken").encode(), "mellanslagstoken"),
        (b"newline\nin name.txt", body("radbrytningstoken").encode(), "radbrytningstoken"),
        (b"non_utf8_\xe9_name.txt", body("latintoken").encode(), "latintoken"),
        ("--dashdash.txt", body("strecktoken").encode(), "strecktoken"),
        ("nul_sprinkled.txt", body("nolltoken").encode().replace(b" ", b" \x00", 3), "nolltoken"),
        ("cp1252.txt", (body("ansitoken") + "– Åtgärd för “vård”").encode("cp1252"), "ansitoken"),
        ("bad_utf8_bytes.txt", body("trasigtoken").encode() * 50 + b"\xff\xfe ok\n",
         "trasigtoken"),
        ("utf16.txt", body("utf16token").encode("utf-16"), "utf16token"),
        ("crlf.txt", body("crlftoken").replace("\n", "\r\n").encode(), "crlftoken"),
        ("one_line.txt", (body("enradstoken").replace("\n", " ") * 50).encode(), "enradstoken"),
        ("good.pdf", minimal_pdf(PDF_TEXT), "pdftoken"),
    ]
    out: dict[Path, str] = {}
    for name, data, token in files:
        p = _name(folder, name)
        p.write_bytes(data)
        out[p] = token
    return out
