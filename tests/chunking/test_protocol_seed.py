"""Golden test: the Växjö protocol seed splits into its header and §§ 257–264."""

from __future__ import annotations

import re

from searcher.chunking.clean.furniture import is_signature_line
from searcher.records import Section

EXPECTED = [
    ("257", "302917", "Justering av protokoll", "justering"),
    (
        "258",
        "297093",
        "Information från ledamöter och ersättare samt från kommunledningsförvaltningen",
        "information",
    ),
    (
        "259",
        "2022-00295",
        "Yttrande från Videum samt kommunstyrelsen gällande granskning av "
        "Växjö kommuns näringslivsarbete (KS samma dag)",
        "yttrande",
    ),
    (
        "260",
        "2022-00284",
        "Yttrande över granskning av kommunens arbete med Hållbara Växjö 2030 (KS samma dag)",
        "yttrande",
    ),
    (
        "261",
        "2022-00285",
        "Socialdepartementets remiss av Europeiska kommissionens förslag till "
        "Europaparlamentets och Rådets förordning om det europeiska hälsodataområdet, "
        "COM (2022) 197 final (KS samma dag)",
        "yttrande",  # a remiss the arbetsutskott answers ("tillstyrker"): a remissvar (issue 16)
    ),
    (
        "262",
        "2020-00385",
        "Redovisning av årlig uppföljning av Brottsofferjourens arbete 2021 (KS samma dag)",
        "redovisning",
    ),
    (
        "263",
        "2022-00001",
        "Inkomna och besvarade skrivelser av intresse samt inkomna inbjudningar och protokoll",
        "information",
    ),
    ("264", "297092", "Övrigt", "övrigt"),
]
STEM = "000_5ef240bb4f3b8a0b"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_header_then_each_paragraph_once(protocol_sections: list[Section]) -> None:
    kinds = [s.kind for s in protocol_sections]
    assert kinds == ["header"] + ["paragraph"] * 8
    got = [(s.paragraph, s.dnr, s.title, s.arende) for s in protocol_sections[1:]]
    assert got == EXPECTED


def test_ids_ordinals_and_metadata(protocol_sections: list[Section]) -> None:
    ids = [s.section_id for s in protocol_sections]
    assert ids == [f"{STEM}/header"] + [f"{STEM}/p{n}" for n in range(257, 265)]
    assert [s.ordinal for s in protocol_sections] == list(range(9))
    for s in protocol_sections:
        assert s.doc == f"{STEM}.txt"
        assert (s.municipality, s.organ, s.doc_type, s.date) == (
            "Växjö",
            "Kommunstyrelsens arbetsutskott",
            "protokoll",
            "2022-08-16",
        )


def test_paragraph_text_is_the_source_wording(protocol_sections: list[Section]) -> None:
    p259 = protocol_sections[3].text
    assert p259.startswith("§ 259\n\nDnr 2022-00295\n\nYttrande från Videum")
    assert "Kommunstyrelsens arbetsutskotts förslag\n\nKommunstyrelsen beslutar att lämna" in p259
    assert p259.rstrip().endswith("-Kommunchefens yttrande 2022-08-04")


def test_no_furniture_in_any_section(protocol_sections: list[Section]) -> None:
    for s in protocol_sections:
        for line in s.text.splitlines():
            assert not is_signature_line(line), (s.section_id, line)
        assert "Sammanträdesprotokoll" not in s.text
        assert "Utdragsbestyrkande" not in s.text
        assert "....." not in s.text  # no table-of-contents line
        assert "Förteckning över" not in s.text


def test_paragraph_261_is_joined_across_the_page_break(protocol_sections: list[Section]) -> None:
    p261 = protocol_sections[5]
    assert p261.paragraph == "261"
    text = _norm(p261.text)
    assert "kommer behöva göra. Det är dock först när svensk lagstiftning" in text
    assert (
        sum(
            "göra. Det är dock först när svensk lagstiftning" in _norm(s.text)
            for s in protocol_sections
        )
        == 1
    )


def test_paragraph_262_keeps_its_continued_list(protocol_sections: list[Section]) -> None:
    p262 = protocol_sections[6].text
    assert "- kommunstyrelsen 2022-06-22 (§ 115/2022)*" in p262
    assert p262.rstrip().endswith("- Gällande IOP-avtal")
    assert "2022-08-16" not in p262  # the running header's date is gone


def test_header_block_and_persons(protocol_sections: list[Section]) -> None:
    header = protocol_sections[0]
    assert header.text.startswith("Plats och tid Rottnesalen")
    assert "Monica Skagne, kommunchef" in header.text
    assert header.text.rstrip().endswith("§§ 257-264")
    persons = header.persons
    assert persons[0] == "Andreas Olsson (C), ordförande"
    assert "Malin Lauber (S), vice ordförande" in persons
    assert "Monica Skagne, kommunchef" in persons
    assert "Sara Tiger" in persons
    assert len(persons) == len({p.split(" (")[0].split(",")[0] for p in persons}) == 16
