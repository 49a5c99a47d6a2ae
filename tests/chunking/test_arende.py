"""Ärende kind from the title and, for yttranden and remissvar, from the § text: layouts of
several kommuner (a remiss answered with "tillstyrker", "antar förvaltningens yttrande",
"Svar på remiss", "Remissvar") and the look-alikes that are no yttrande."""

from __future__ import annotations

import pytest

from searcher.chunking.protocol.arende import refine_arende

CASES = [
    # (title, § text, kind)
    ("Yttrande över granskning av Hållbara Växjö 2030", "", "yttrande"),
    ("Svar på remiss om ny skollag", "", "yttrande"),
    ("Remissvar – Regional cykelstrategi", "", "yttrande"),
    ("Yttrande till Länsstyrelsen om vindkraft", "", "yttrande"),
    ("Remissyttrande: Näringslivsstrategi", "", "yttrande"),
    ("Remiss - Program för klimatanpassning",
     "Yrkanden\nX (S) yrkar bifall.\n\nBarn- och utbildningsnämndens beslut\n"
     "- Barn- och utbildningsnämnden tillstyrker Program för klimatanpassning.", "yttrande"),
    ("Socialdepartementets remiss av EU-förordning",
     "Kommunstyrelsens arbetsutskotts förslag\nKommunstyrelsen tillstyrker förslaget.", "yttrande"),
    ("Grundläggande granskning av nämnderna 2025",
     "Beslut\nNämnden antar förvaltningens yttrande som sitt eget och översänder det till "
     "revisorerna.", "yttrande"),
    ("Detaljplan för Norra staden",
     "Beslut\nKommunstyrelsen lämnar yttrande enligt bilaga.", "yttrande"),
    ("Översiktsplan – samråd",
     "Beslut\nNämnden ställer sig bakom yttrandet och skickar det till kommunstyrelsen.",
     "yttrande"),
    # sending a remiss out, a remiss not yet answered, a delegation list, a bygglov
    ("Remiss av skrivelse om solceller",
     "Beslut\nKommunstyrelsen remitterar skrivelsen till tekniska nämnden för yttrande.",
     "remiss"),
    ("Revidering av delegationsordning",
     "Ärendebeskrivning\n3.4 Avge yttranden till myndigheter  Förvaltningschef\n\nBeslut\n"
     "Delegationsordningen antas.", None),
    ("Gjutaren 23, bygglov för industribyggnad",
     "Beslut\nBygglov beviljas.\n\nProtokollsanteckning\nVi lyfter fram det remissvar som "
     "Räddningstjänsten lämnat.", None),
    ("Motion om gratis kollektivtrafik", "Beslut\nKommunstyrelsen lämnar yttrande.", "motion"),
    ("Val av justerare", "", "justering"),
]


@pytest.mark.parametrize(("title", "text", "kind"), CASES)
def test_arende_kind_from_title_and_text(title, text, kind):
    assert refine_arende(None, title, text) == kind
