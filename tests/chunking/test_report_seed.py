"""Golden test: the Växjö Årsrapport 2020 seed follows its table of contents."""

from __future__ import annotations

from searcher.records import Section

TOP_LEVEL = [
    "Sammanfattning",
    "Ekonomisk redovisning",
    "Personalredovisning",
    "Verksamhetsredovisning",
    "Övrig verksamhetsrelaterad information",
    "Uppföljning av privata utförare",
    "Hyres- och leasingavtal",  # the TOC misspells it "Hyses-"; the body's spelling wins
]


def test_top_levels_follow_the_toc_in_order(report_sections: list[Section]) -> None:
    tops = []
    for s in report_sections:
        if not tops or tops[-1] != s.breadcrumb[0]:
            tops.append(s.breadcrumb[0])
    assert tops == TOP_LEVEL


def test_sub_headings_carry_breadcrumbs(report_sections: list[Section]) -> None:
    crumbs = {s.breadcrumb for s in report_sections}
    assert ("Ekonomisk redovisning", "Analys av årets utfall", "Driftredovisning") in crumbs
    assert ("Sammanfattning", "Ekonomisk redovisning") in crumbs
    assert ("Övrig verksamhetsrelaterad information", "Klagomål och synpunkter") in crumbs
    assert any(c[:2] == ("Verksamhetsredovisning", "Uppföljning av riktningsmålen") for c in crumbs)
    for s in report_sections:
        assert s.title == s.breadcrumb[-1]
        assert s.kind == "heading"


def test_no_section_is_the_table_of_contents(report_sections: list[Section]) -> None:
    for s in report_sections:
        assert "Innehållsförteckning" not in s.text
        assert "....." not in s.text


def test_tables_stay_with_their_heading(report_sections: list[Section]) -> None:
    drift = next(s for s in report_sections if s.title == "Driftredovisning")
    assert "Verksamhet, tkr\tIntäkt utfall 2020" in drift.text
    assert "Summa\t236 869\t-893 109" in drift.text
    assert "sjuklön dag 2-59" in drift.text


def test_signature_is_not_a_heading(report_sections: list[Section]) -> None:
    titles = {s.title for s in report_sections}
    assert "Per Sandberg" not in titles
    assert "Förvaltningschef Arbete och välfärd" not in titles
    assert not any(t.startswith("Arbete och lärande:") for t in titles)


def test_markup_removed_but_words_kept(report_sections: list[Section]) -> None:
    text = "\n".join(s.text for s in report_sections)
    for tag in ("<p>", "</p>", "<i>", "</i>"):
        assert tag not in text
    assert text.count("Balans-22") == 15


def test_sizes_are_sensible(report_sections: list[Section]) -> None:
    sizes = [len(s.text) for s in report_sections]
    assert min(sizes) >= 100
    assert sum(300 <= n <= 3000 for n in sizes) / len(sizes) > 0.75


def test_metadata(report_sections: list[Section]) -> None:
    s = report_sections[0]
    assert (s.municipality, s.doc_type, s.date) == ("Växjö", "rapport", "2020")
    assert s.section_id == "004_01ff4cff245c5c24/s000"
