"""Hand-made protocols, one per failure seen on other kommuners' layouts (issue 14)."""

from __future__ import annotations

import pytest

from searcher.chunking import split_document, table_of_contents
from searcher.chunking.protocol.dnr import dnr_key, find_dnr, whole_line_dnr
from searcher.ingest.metadata import detect_meta
from searcher.records import Document, Section

HEAD = "Sammanträdesprotokoll\nKommunstyrelsen\n2023-03-01\n\nPlats och tid: Stadshuset\n\n"
FILLER = "Ärendet har beretts av förvaltningen och underlaget har skickats ut i tid.\n"


def split(text: str, name: str = "prot.txt") -> list[Section]:
    return split_document(Document(doc=name, text=text, meta=detect_meta(text)))


def paragraphs(text: str) -> list[tuple[str | None, str | None]]:
    return [(s.paragraph, s.dnr) for s in split(text) if s.kind == "paragraph"]


def body(*heads: str) -> str:
    return "".join(f"{h}\n\nTitel för ärendet\n\nBeslut\n{FILLER}\n" for h in heads)


@pytest.mark.parametrize(
    ("heads", "numbers"),
    [
        (["KS-AU § 12", "KS-AU § 13", "KS-AU § 14"], ["12", "13", "14"]),
        (["Kommunfullmäktige § 12", "Kommunfullmäktige § 13"], ["12", "13"]),
        (["Tekniska nämnden § 5", "Tekniska nämnden § 6"], ["5", "6"]),
        (["§ 12", "§ 12 a", "§ 13"], ["12", "12a", "13"]),
        (["§38", "§39", "§40"], ["38", "39", "40"]),
        (["## **§ 92**", "## **§ 93**", "- § 94"], ["92", "93", "94"]),
        (["§ 12 Taxa för hemtjänst m.m.", "§ 13 Val av ombud."], ["12", "13"]),
        (["§ 49", "$ 50", "§ 51"], ["49", "50", "51"]),
        (["§ 49", "8 50", "§ 51"], ["49", "50", "51"]),
    ],
)
def test_header_forms(heads: list[str], numbers: list[str]) -> None:
    assert [p for p, _ in paragraphs(HEAD + body(*heads))] == numbers


def test_ocr_sign_without_support_is_no_header() -> None:
    text = HEAD + body("§ 10", "§ 11") + "8 50\n\nTabellrad\n"
    assert [p for p, _ in paragraphs(text)] == ["10", "11"]


def test_running_text_with_a_paragraph_sign_is_no_header() -> None:
    text = HEAD + body("§ 3") + "§ 5 i kommunallagen gäller.\nEnligt § 6 ska nämnden.\n"
    assert [p for p, _ in paragraphs(text)] == ["3"]


def test_agenda_without_page_numbers_is_no_section() -> None:
    agenda = "Ärendelista\n§ 12 Val av justerare\n§ 13 Budget 2024\n§ 14 Meddelanden\n\n"
    text = HEAD + agenda + body("§ 12", "§ 13", "§ 14")
    sections = split(text)
    assert [s.section_id.split("/")[1] for s in sections] == ["header", "p12", "p13", "p14"]
    assert "Budget 2024" in table_of_contents(Document(doc="p.txt", text=text,
                                                       meta=detect_meta(text)))


def test_agenda_as_pipe_table_gives_dnr_above() -> None:
    agenda = (
        "## **Innehåll**\n\n|§|5|Val av justerare||3|\n|---|---|---|---|---|\n"
        "||||BUN/2023:134||\n|§|6|Skolskjuts||4|\n|§|7|Övrigt||5|\n\n"
    )
    text = HEAD + agenda + body("## **§ 5**", "## **§ 6**", "## **§ 7**")
    assert paragraphs(text) == [("5", None), ("6", "BUN/2023:134"), ("7", None)]


def test_quoted_reglemente_is_no_paragraph() -> None:
    reglemente = "Bilaga 1\nReglemente för nämnden\n\n§ 1 Uppgifter\nNämnden ansvarar.\n\n" \
                 "§ 2 Sammansättning\nNämnden har nio ledamöter.\n\n§ 3 Ordförande\nX.\n\n"
    text = HEAD + "§ 45\n\nReglemente för tekniska nämnden\n\nBeslut\n" + FILLER + "\n" \
        + reglemente + body("§ 46", "§ 47")
    sections = [s for s in split(text) if s.kind == "paragraph"]
    assert [s.paragraph for s in sections] == ["45", "46", "47"]
    assert "§ 2 Sammansättning" in sections[0].text
    assert "bilaga" in [label for label, _, _ in sections[0].parts]


def test_notification_list_quoting_other_paragraphs() -> None:
    lists = "§ 67 2026.142 KS Revidering av riktlinjer för bidrag\n" \
            "§ 63 2025.354 KS Årsredovisning för stiftelser\n\n"
    text = HEAD + body("§ 30 2026.010 TEN") + "§31\n\nMeddelanden\n\n" + lists
    assert paragraphs(text) == [("30", "2026.010 TEN"), ("31", None)]


def test_running_header_on_one_line_without_form_feeds() -> None:
    running = "Kommunstyrelsen  Sammanträdesprotokoll  2023-03-01  Sida {} av 4"
    text = HEAD
    for n in range(1, 5):
        text += f"{running.format(n)}\n\n§ {n}\n\nÄrende {n}\n\nBeslut\n{FILLER}\n" \
                "Justerandes signatur\n\nUtdragsbestyrkande\n\n"
    for s in split(text):
        assert "Sida" not in s.text and "Justerandes" not in s.text
        assert "Utdragsbestyrkande" not in s.text


def test_voting_list_and_reservation_are_labelled_parts() -> None:
    votes = "Voteringslista: §44\nLedamot   Ja   Nej   Avstår\n" + "Anna Ek (S)   X\n" * 400
    reservation = "Reservation\n" + "Vi reserverar oss mot beslutet eftersom det är fel.\n" * 300
    text = HEAD + body("§ 44")[:-1] + reservation + "\n" + votes + "\n" + body("§ 45")
    p44 = next(s for s in split(text) if s.paragraph == "44")
    labels = [label for label, _, _ in p44.parts]
    assert "reservation" in labels and "votering" in labels
    appended = sum(b - a for label, a, b in p44.parts if label in ("votering", "reservation"))
    assert len(p44.text) - appended < 1000


@pytest.mark.parametrize(
    "stamp",
    [
        "Detta dokument är elektroniskt signerat och juridiskt bindande.\n"
        "Signed by: Anna Ek Date: 2025-09-24 BankID refno: 0199\nAnna Ek\n",
        "Verifikat\nTransaktion 09222115557491234567\nDokumentet har signerats elektroniskt av\n"
        "Anna Ek\nSignerat 2023-03-06 med BankID\n",
    ],
)
def test_e_signature_stamp_is_removed(stamp: str) -> None:
    sections = split(HEAD + body("§ 1", "§ 2") + "\n" + stamp)
    assert all("BankID" not in s.text and "signer" not in s.text for s in sections)


@pytest.mark.parametrize(
    ("line", "value", "archive"),
    [
        ("KS 2022/123", "KS 2022/123", None),
        ("KS-2024-00123", "KS-2024-00123", None),
        ("KS KF/2022:7", "KS KF/2022:7", None),
        ("BUN/2023:134", "BUN/2023:134", None),
        ("2026.016 KS", "2026.016 KS", None),
        ("2026.004 BUN-038", "2026.004 BUN-038", None),
        ("Bun/2025:532 600", "Bun/2025:532", "600"),
        ("Bun/2022:730   661", "Bun/2022:730", "661"),
        ("N123-4567/23", "N123-4567/23", None),
        ("ABC–2024–00118", "ABC–2024–00118", None),
        ("KS—2024—00118", "KS—2024—00118", None),
        ("Ärendenr 2023:14", "2023:14", None),
        ("Dnr 2022-00295", "2022-00295", None),
        ("Diarienummer: KS.2021.1101", "KS.2021.1101", None),
        ("Dnr KS 23/123", "KS 23/123", None),
        ("Dnr 23/0123", "23/0123", None),
    ],
)
def test_dnr_series(line: str, value: str, archive: str | None) -> None:
    found = whole_line_dnr(line)
    assert found is not None and (found.value, found.archive) == (value, archive)


@pytest.mark.parametrize("line", ["§68 KSAU 2026-05-20", "SFS 2010:800", "läsåret 2026/2027"])
def test_not_a_dnr(line: str) -> None:
    assert find_dnr(line) is None


def test_dnr_key_joins_written_forms() -> None:
    assert dnr_key("KS-2024-00123") == dnr_key("KS 2024/123") == dnr_key("ks 2024–00123")
    assert dnr_key("Bun/2025:532") != dnr_key("Bun/2025:533")


def test_dnr_after_title_and_glued_to_heading() -> None:
    text = HEAD + "## § 109\n\n## **Medborgarförslag om läxor**\n\nBun/2022:136   610\n\n" \
        "Beslut\n" + FILLER + "\n## § 110\n\n## **Utvärdering av avgift** Bun/2022:628   694\n\n" \
        "Beslut\n" + FILLER
    assert paragraphs(text) == [("109", "Bun/2022:136"), ("110", "Bun/2022:628")]


@pytest.mark.parametrize(
    ("text", "organ", "municipality"),
    [
        ("Tekniska nämnden\nProtokoll\n\n2026-05-18\n\n§ 1\n\n§ 2\nArbetsutskottet\n",
         "Tekniska nämnden", None),
        ("Sammanträdesprotokoll\nSociala nämnden\n2024-01-02\n§ 1\n§ 2\n",
         "Sociala nämnden", None),
    ],
)
def test_metadata_two_word_organ_and_unknown_kommun(
    text: str, organ: str, municipality: str | None
) -> None:
    meta = detect_meta(text)
    assert (meta.organ, meta.municipality) == (organ, municipality)


def test_protocol_extracts_bundled_in_a_report_are_found() -> None:
    prose = "Verksamheten har arbetat vidare med målen under året och redovisar resultat.\n"
    extract = (
        "Protokollsutdrag\nKommunfullmäktige\n2023-04-24\n\n"
        "§ 45    Dnr KS 2023/00123\n\nÅrsredovisning 2022\n\nBeslut\nFullmäktige godkänner.\n\n"
        "§ 46    Dnr KS 2023/00130\n\nAnsvarsfrihet för 2022\n\nBeslut\nFullmäktige beviljar.\n"
    )
    text = "Årsredovisning 2022\nTestby kommun\n\nEkonomisk översikt\n\n" + prose * 80
    text += "\n" + extract
    sections = split(text)
    assert sections[0].doc_type == "rapport" and sections[0].kind == "heading"
    assert [(s.paragraph, s.dnr) for s in sections if s.kind == "paragraph"] == [
        ("45", "KS 2023/00123"), ("46", "KS 2023/00130")]
    assert [s.ordinal for s in sections] == list(range(len(sections)))


def test_a_report_quoting_a_statute_is_no_protocol() -> None:
    prose = "Lagen anger vad som gäller för kommunens arbete och hur det ska följas upp.\n"
    text = "Årsredovisning 2022\n\n" + prose * 80 + "\nProtokoll\n\n§ 1 Tillämpning\n" + prose \
        + "\n§ 2 Ansvar\n" + prose
    assert all(s.kind != "paragraph" for s in split(text))


DECISION = "Beslut\nKommunstyrelsen beslutar enligt förslaget.\n\n"


@pytest.mark.parametrize(
    "layout",
    [
        "§ {n}\nDnr KS 2023/{n}\nÄrende {n}\n",  # Dnr above the title, no blank lines
        "§ {n} Ärende {n}\nDnr KS 2023/{n}\n\n",  # inline title, Dnr on the next line
        "§ {n}\tÄrende {n}\tKS 2023/{n}\n\n",  # table cells (DOCX, HTML)
        "§ {n}\n\nÄrende {n}\nÄrendenr: KS 2023/{n}\n\n",  # another label
        "§ {n}  Ärende {n}                         KS 2023/{n}\n\n",  # Dnr right-aligned
        "KS § {n}                  Dnr KS 2023/{n}\n\nÄrende {n}\n\n",  # organ prefix, column
    ],
)
def test_where_the_dnr_and_title_stand(layout: str) -> None:
    text = HEAD + "".join(layout.format(n=n) + DECISION for n in (45, 46, 47))
    got = [(s.paragraph, s.dnr, s.title) for s in split(text) if s.kind == "paragraph"]
    assert got == [(str(n), f"KS 2023/{n}", f"Ärende {n}") for n in (45, 46, 47)]


def test_agenda_dnr_beside_the_title_fills_a_paragraph_without_one() -> None:
    agenda = "Dagordning\n§ 12   Val av justerare\n§ 13   Budget 2024        KS 2023/00123\n" \
             "§ 14   Meddelanden\n\n"
    text = HEAD + agenda + body("§ 12", "§ 13", "§ 14")
    assert paragraphs(text) == [("12", None), ("13", "KS 2023/00123"), ("14", None)]
