"""split_document never crashes, never invents words, and numbers sections consistently."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.chunking import split_document
from searcher.records import DocType, Document, DocumentMeta

LINES = st.sampled_from(
    [
        "",
        "",
        "§ 12",
        "§ 13 Val av justerare",
        "Dnr KS 2023/145",
        "Bakgrund",
        "Beslut",
        "Ordförandes signatur\tJusterares signatur\tUtdragsbestyrkande",
        "Sida 2 av 5",
        "Innehållsförteckning",
        "Sammanfattning.....\t3",
        "Ekonomi.....\t4",
        "Personal.....\t5",
        "Sammanträdesprotokoll",
        "Kommunstyrelsen",
        "2022-08-16",
        "Uppdrag",
        "Nämnden redovisar ett överskott på 2,5 mkr.",
        "Verksamhet\t2020\t2019",
        "Summa\t12\t13",
        "- punkt ett",
        "Per Sandberg",
        "Förvaltningschef",
        "<p>Text i cell</p>",
        "# Rubrik",
        "1.2 Numrerad rubrik",
        "Ekonomisk redovisning",
        "kommer behöva",
        "göra. Det är klart.",
    ]
)
TEXTS = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000),
    st.lists(LINES, max_size=120).map("\n".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, doc_type=st.sampled_from(list(DocType)), pages=st.booleans())
def test_split_document_is_total_and_faithful(text: str, doc_type: DocType, pages: bool) -> None:
    starts = tuple(range(0, len(text), 300)) if pages and text else ()
    doc = Document(
        doc="x y.txt", text=text, page_starts=starts, meta=DocumentMeta(doc_type=doc_type.value)
    )
    sections = split_document(doc)
    assert [s.ordinal for s in sections] == list(range(len(sections)))
    assert len({s.section_id for s in sections}) == len(sections)
    for s in sections:
        assert s.section_id.startswith("x_y/")
        assert s.text.strip()
        for word in s.text.split():
            assert word in text.replace("\x00", "")  # nothing invented (tags, NULs may go)
        if starts:
            assert s.page is not None and 1 <= s.page <= len(starts)


PROSE = st.lists(
    st.sampled_from(
        [
            "Rubrik",
            "Bakgrund och syfte",
            "Nämnden beslutar.",
            "Text om budget och mål.",
            "Uppdrag",
            "",
            "",
            "Tabell\t1\t2",
            "- punkt",
            "Lång mening " * 40,
        ]
    ),
    max_size=150,
).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(text=PROSE, doc_type=st.sampled_from([DocType.report, DocType.other]))
def test_generic_and_report_keep_every_word_in_order(text: str, doc_type: DocType) -> None:
    doc = Document(doc="d.txt", text=text, meta=DocumentMeta(doc_type=doc_type.value))
    sections = split_document(doc)
    assert " ".join(s.text for s in sections).split() == text.split()
