"""Protocols generated from the layout families seen in kommuner (hypothesis): whatever the
header form, Dnr series, agenda form and page furniture, every § comes out once with its Dnr."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.chunking import split_document
from searcher.ingest.metadata import detect_meta
from searcher.records import Document

HEADER_FORMS = [
    "§ {n}",
    "§{n}",
    "KS § {n}",
    "KS-AU § {n}",
    "Kommunfullmäktige § {n}",
    "Tekniska nämnden § {n}",
    "## **§ {n}**",
    "## § {n}",
]
DNR_FORMS = [
    "KS {y}/{k}",
    "KS-{y}-{k:05d}",
    "BUN/{y}:{k}",
    "{y}.{k:03d} KS",
    "Bun/{y}:{k} 600",
    "KS.{y}.{k}",
    "SBN {y}-{k:06d}",
]
# where the Dnr stands relative to the header line and the title
DNR_PLACES = [
    "{h} {d}\n\n{t}\n",
    "{h} {t}\nDnr {d}\n\n",
    "{h}\n\nDnr {d}\n\n{t}\n",
    "{h}\n\n{t}\n{d}\n",
    "{h}                              Dnr {d}\n\n{t}\n",
    "{h}\n\n{t}\n\n{d}\n",
]
TITLES = [
    "Val av justerare",
    "Budgetuppföljning per mars",
    "Taxa för hemtjänst m.m.",
    "Svar på motion om cykelbanor - Anna Ek (C)",
    "Detaljplan för Erska 1:55, beslut om granskning",
    "Remiss - Program för klimatanpassning",
]
BODY = [
    "Ärendebeskrivning\nFörvaltningen har utrett frågan och redovisar sitt förslag.\n",
    "Beslut\nNämnden beslutar enligt förslaget.\n",
    "Yrkanden\nAnna Ek (C) yrkar bifall till förslaget.\n",
    "Beslutsunderlag\n• Tjänsteskrivelse 2023-02-01\n• §68 KSAU 2023-02-15\n",
    "Reservation\nPer Holm (M) reserverar sig mot beslutet.\n",
    # another organ's § quoted (its number is rarely the next of this protocol's)
    "Anmälningar\n§ 967 2026.142 KS Revidering av riktlinjer\n§ 5 Kommunstyrelsen 2023-01-10\n",
    "Enligt kommunallagen 6 kap. § 24 gäller jäv.\n",
]
# a quoted regulation numbers its own §§ from 1: told apart from the protocol's numbers, which
# (as in a real meeting later than January) are above its range
REGLEMENTE = "Bilaga 1\nReglemente\n§ 1 Uppgifter\nNämnden ansvarar.\n§ 2 Sammansättning\nNio.\n"
RUNNING = [
    "",
    "Kommunstyrelsen  Sammanträdesprotokoll  2023-03-01  Sida {p} av 9\n\n",
    "SAMMANTRÄDESPROTOKOLL\nKommunstyrelsen\n2023-03-01\n\n",
]
FOOTERS = ["", "\nJusterandes sign    Utdragsbestyrkande\n\n", "\nJusterandes signatur\n\n{p}\n\n"]


@st.composite
def protocols(draw: st.DrawFn) -> tuple[str, list[tuple[str, str | None]]]:
    first = draw(st.integers(1, 300))
    count = draw(st.integers(1, 8))
    numbers = list(range(first, first + count))
    header = draw(st.sampled_from(HEADER_FORMS))
    dnr_form = draw(st.sampled_from(DNR_FORMS))
    place = draw(st.sampled_from(DNR_PLACES))
    running = draw(st.sampled_from(RUNNING))
    footer = draw(st.sampled_from(FOOTERS))
    agenda = draw(st.sampled_from(["none", "lines", "table"]))
    ocr = draw(st.integers(0, 20))  # the header of this position reads "$ N" (an OCR'd §)
    text = "Sammanträdesprotokoll\nKommunstyrelsen\n2023-03-01\n\nPlats och tid: Stadshuset\n\n"
    text += f"Paragrafer §§ {numbers[0]}-{numbers[-1]}\n\n" if draw(st.booleans()) else ""
    expected: list[tuple[str, str | None]] = []
    items = []
    for n in numbers:
        with_dnr = draw(st.booleans())
        dnr = dnr_form.format(y=2023, k=n * 7 + 1) if with_dnr else None
        title = draw(st.sampled_from(TITLES))
        items.append((n, dnr, title))
        expected.append((str(n), dnr.removesuffix(" 600") if dnr else None))
    if agenda == "lines":
        text += "Ärendelista\n" + "".join(f"§ {n}   {t}\n" for n, _, t in items) + "\n"
    elif agenda == "table":
        text += "## **Innehåll**\n\n|§|Ärende|Sida|\n|---|---|---|\n"
        text += "".join(f"|§ {n}|{t}|{k + 2}|\n" for k, (n, _, t) in enumerate(items)) + "\n"
    for page, (n, dnr, title) in enumerate(items, start=2):
        text += running.format(p=page)
        h = header.format(n=n)
        if page - 2 == ocr and 0 < ocr < len(items) - 1:  # inside the run: neighbours support it
            h = f"$ {n}"
        if dnr is None:
            text += f"{h}\n\n{title}\n"
        else:
            text += place.format(h=h, d=dnr, t=title)
        body = BODY + [REGLEMENTE] if first > 10 else BODY
        text += "\n" + "\n".join(draw(st.lists(st.sampled_from(body), min_size=1, max_size=4)))
        text += footer.format(p=page)
    return text, expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(protocols())
def test_every_paragraph_once_with_its_dnr(case: tuple[str, list[tuple[str, str | None]]]) -> None:
    text, expected = case
    doc = Document(doc="p.txt", text=text, meta=detect_meta(text))
    got = [(s.paragraph, s.dnr) for s in split_document(doc) if s.kind == "paragraph"]
    assert got == expected
