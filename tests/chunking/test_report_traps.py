"""Hand-made reports, one per failure of the report chunker listed in issue 14."""

from __future__ import annotations

from searcher.chunking import split_document
from searcher.ingest.metadata import detect_meta
from searcher.records import Document, Section

PROSE = (
    "Verksamheten har under året arbetat vidare med de mål som fullmäktige har beslutat om, "
    "och resultaten redovisas nedan för varje område med jämförelser mot tidigare år.\n"
)


def split(text: str) -> list[Section]:
    return split_document(Document(doc="r.txt", text=text, meta=detect_meta(text)))


def report(*parts: str) -> str:
    return "Årsredovisning 2022\nTestby kommun\n\n" + "\n".join(parts)


def test_footnote_number_glued_to_a_heading_is_not_in_the_title() -> None:
    sections = split(report(f"Ekonomisk översikt3\n\n{PROSE * 4}", f"Personal\n\n{PROSE * 4}"))
    assert "Ekonomisk översikt" in [s.title for s in sections]
    assert all(not s.title.endswith("3") for s in sections)


def test_numbered_captions_and_link_lines_are_no_headings() -> None:
    text = report(
        f"Ekonomisk översikt\n\n{PROSE * 3}",
        f"Figur 3. Antal elever per skola\n\n{PROSE * 3}",
        f"www.testby.se/arsredovisning\n\n{PROSE * 3}",
    )
    titles = [s.title for s in split(text)]
    assert not any(t.startswith(("Figur", "www.")) for t in titles)


def test_running_header_is_no_section_title() -> None:
    page = f"Årsredovisning 2022 Testby kommun  Sida {{}} av 4\n\nMiljö\n\n{PROSE * 3}\n"
    text = "".join(page.format(n) for n in range(1, 5))
    for s in split(text):
        assert not s.title.startswith("Årsredovisning 2022 Testby kommun")
        assert "Sida" not in s.text


def test_report_sections_have_a_size_cap() -> None:
    text = report(f"Verksamhetsberättelse\n\n{(PROSE * 3 + chr(10)) * 80}")
    sections = split(text)
    assert sections and max(len(s.text) for s in sections) <= 12_000
