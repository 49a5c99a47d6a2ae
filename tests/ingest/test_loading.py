"""Loading files: encodings, refusals with one-line reasons, sha256, suffix table, formats."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from searcher.errors import BadInputError
from searcher.ingest import SUPPORTED_SUFFIXES, is_supported, load_document

SWEDISH = "Kommunstyrelsen beslutar att bevilja äldrenämnden 2,5 mkr – för år 2024.\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_text_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    doc = load_document(_write(tmp_path, "a.txt", SWEDISH.encode(encoding)))
    assert doc.text == SWEDISH


def test_latin1_without_cp1252_punctuation(tmp_path: Path) -> None:
    text = "Nämndens förslag om åtgärder i Växjö.\n"
    assert load_document(_write(tmp_path, "a.txt", text.encode("latin-1"))).text == text


def test_cp1252_quotes_and_dashes(tmp_path: Path) -> None:
    text = "”Väl förberett” – sa ordföranden…\n"
    assert load_document(_write(tmp_path, "a.md", text.encode("cp1252"))).text == text


def test_undecodable_bytes_never_crash(tmp_path: Path) -> None:
    data = b"Beslut om " + b"\x81\x8d\xff\xfe" + b" budget.\n"
    doc = load_document(_write(tmp_path, "a.txt", data))
    assert doc.text.startswith("Beslut om ") and doc.text.endswith(" budget.\n")


def test_mostly_utf8_with_a_bad_byte_keeps_the_utf8(tmp_path: Path) -> None:
    data = ("Åtgärder i Växjö kommun. " * 200).encode() + b"\xff" + "Slut på texten.\n".encode()
    doc = load_document(_write(tmp_path, "a.txt", data))
    assert "Åtgärder i Växjö kommun." in doc.text and "Slut på texten." in doc.text


def test_nul_bytes_are_stripped(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "a.txt", b"Dnr\x00 2022-00295\x00\n"))
    assert doc.text == "Dnr 2022-00295\n"


def test_crlf_becomes_lf(tmp_path: Path) -> None:
    assert load_document(_write(tmp_path, "a.txt", b"a\r\nb\rc\n")).text == "a\nb\nc\n"


def test_form_feeds_mark_pages(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "a.txt", b"sida ett\n\x0csida tv\xc3\xa5\n\x0c"))
    assert doc.text == "sida ett\n\nsida två\n\n"
    assert doc.page_starts == (0, 10)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\n\t \n", "empty file"),
        ("nul.txt", b"\x00" * 5000, "binary file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        ("random.txt", bytes(range(256)) * 40, "binary file"),
        ("zip.txt", b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
        ("notes.rtf", b"{\\rtf1 hej}", "unsupported file type"),
    ],
)
def test_unreadable_files_are_refused_in_one_line(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(BadInputError) as err:
        load_document(path)
    message = str(err.value)
    assert reason in message and name in message and "\n" not in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="cannot read file"):
        load_document(tmp_path / "nope.txt")


def test_identity_and_hash(tmp_path: Path) -> None:
    data = SWEDISH.encode()
    path = _write(tmp_path, "prot.txt", data)
    doc = load_document(path)
    assert doc.doc == "prot.txt" and doc.path == str(path)
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert load_document(path, doc="kommun/prot.txt").doc == "kommun/prot.txt"


def test_suffix_table() -> None:
    assert {".txt", ".md", ".pdf", ".html", ".htm", ".docx"} == set(SUPPORTED_SUFFIXES)
    assert is_supported(Path("A.PDF")) and not is_supported(Path("a.rtf"))
    assert not is_supported(Path("a.meta.json"))


def test_html_to_text(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Protokoll</title><style>p{color:red}</style></head><body>"
        "<h1>§ 12 Budget</h1><p>Kommun&shy;styrelsen <i>beslutar</i> att&nbsp;anta budgeten.</p>"
        "<table><tr><th>Post</th><th>tkr</th></tr><tr><td>Drift</td><td>1 200</td></tr></table>"
        "<script>var x = 1;</script></body></html>"
    )
    doc = load_document(_write(tmp_path, "a.html", html.encode("utf-8")))
    assert "§ 12 Budget" in doc.text
    assert "beslutar att anta budgeten." in doc.text
    assert "Post\ttkr" in doc.text and "Drift\t1 200" in doc.text
    assert "color" not in doc.text and "var x" not in doc.text


def _docx(paragraphs: list[str], table: list[list[str]]) -> bytes:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paras = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    rows = "".join(
        "<w:tr>"
        + "".join(f"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>" for c in row)
        + "</w:tr>"
        for row in table
    )
    body = f"<w:body>{paras}<w:tbl>{rows}</w:tbl></w:body>"
    xml = f'<?xml version="1.0"?><w:document {w}>{body}</w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


def test_docx_to_text(tmp_path: Path) -> None:
    data = _docx(
        ["§ 5 Val av justerare", "Nämnden utser Eva Ek (S)."], [["Post", "tkr"], ["Drift", "12"]]
    )
    doc = load_document(_write(tmp_path, "a.docx", data))
    assert doc.text == "§ 5 Val av justerare\n\nNämnden utser Eva Ek (S).\n\nPost\ttkr\nDrift\t12\n"


def test_broken_docx(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="not a readable DOCX"):
        load_document(_write(tmp_path, "a.docx", b"PK\x03\x04 broken"))


def test_pdf_pages(tmp_path: Path, pdf_maker: Callable[..., bytes]) -> None:
    doc = load_document(
        _write(tmp_path, "a.pdf", pdf_maker([["Sida ett: Växjö kommun"], ["Två §"]]))
    )
    assert doc.text == "Sida ett: Växjö kommun\n\nTvå §"
    assert doc.page_starts == (0, len("Sida ett: Växjö kommun\n\n"))


def test_pdf_without_text_layer(tmp_path: Path, pdf_maker: Callable[..., bytes]) -> None:
    with pytest.raises(BadInputError, match="no text layer; OCR it first"):
        load_document(_write(tmp_path, "scan.pdf", pdf_maker([[""], [""]], text=False)))


def test_corrupt_pdf(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="corrupt PDF|no text layer|PDF has no pages") as err:
        load_document(_write(tmp_path, "bad.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n"))
    assert "bad.pdf" in str(err.value)


def test_encrypted_pdf(tmp_path: Path, pdf_maker: Callable[..., bytes]) -> None:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_maker([["Hemligt"]]))))
    writer.encrypt(user_password="hemlig", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(BadInputError, match="encrypted PDF"):
        load_document(_write(tmp_path, "locked.pdf", buf.getvalue()))
