"""Who MADE each yrkande, reservation, protokollsanteckning or jäv anmälan in a § text: a table
of Swedish § texts in the layouts kommuner use, and the parts `--part` reads."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.chunking.protocol.speakers import parse_speakers, part_spans

CASES = [
    # (§ text, expected (kind, name, party) rows)
    ("Yrkanden\nOrdförande Anna Carlsson (S) yrkar bifall till förvaltningens förslag.",
     [("yrkande", "Anna Carlsson", "S")]),
    ("Förslag till beslut på sammanträdet\nJan-Erik Wallin (M) och Lady France Mulumba (KD) "
     "föreslår att initiativärendet lämnas till\nkommunledningskontoret för beredning.",
     [("yrkande", "Jan-Erik Wallin", "M"), ("yrkande", "Lady France Mulumba", "KD")]),
    # named after the verb: not a maker
    ("1:e vice ordförande Stig-Arne Tengmer (L) föreslår att Christopher Rydell (S) utses till "
     "ordförande.", [("yrkande", "Stig-Arne Tengmer", "L")]),
    ("Bernt Abrahamsson (S), Katarina Ekenger (MP) yrkar bifall till Ann Dentys (V) förslag.",
     [("yrkande", "Bernt Abrahamsson", "S"), ("yrkande", "Katarina Ekenger", "MP")]),
    # names wrapped over lines, party label on the next line
    ("Anton César (S), Pamela Nilsson Ludvigsson\n(S) och Sanna\nDabolins (V) föreslår att "
     "initiativärendet avslås.",
     [("yrkande", "Anton César", "S"), ("yrkande", "Pamela Nilsson Ludvigsson", "S"),
      ("yrkande", "Sanna Dabolins", "V")]),
    ("Till dagens sammanträde har Jan-Erik Wallin (M) och Gunilla Gomér (SD) inkommit med "
     "följande två tillägg till arbetsutskottets förslag till beslut:",
     [("yrkande", "Jan-Erik Wallin", "M"), ("yrkande", "Gunilla Gomér", "SD")]),
    ("Reservation\nJens Christian Berlin (L) lämnar följande skriftliga reservation:\n"
     "Förslaget är enligt min mening felaktigt.", [("reservation", "Jens Christian Berlin", "L")]),
    ("Mot beslutet reserverar sig Per Olsson (M) och Eva Lind (KD) till förmån för eget yrkande.",
     [("reservation", "Per Olsson", "M"), ("reservation", "Eva Lind", "KD")]),
    ("Moderaterna, Kristdemokraterna och Liberalerna reserverar sig mot beslutet.",
     [("reservation", "", "M"), ("reservation", "", "KD"), ("reservation", "", "L")]),
    ("Reservationer\nKarin Ek (SD), Olle Berg (SD)", [("reservation", "Karin Ek", "SD"),
                                                      ("reservation", "Olle Berg", "SD")]),
    ("Protokollsanteckning\nMarcus Wallin (V) lämnar följande protokollsanteckning:\nVi anser …",
     [("protokollsanteckning", "Marcus Wallin", "V")]),
    ("Jäv\nLisa Holm (C) anmäler jäv och deltar inte i handläggningen.",
     [("jäv", "Lisa Holm", "C")]),
    ("På grund av jäv deltar inte Lisa Holm (C) i handläggningen.", [("jäv", "Lisa Holm", "C")]),
    # kommuner that write no party label: the names right before the verb
    ("Ordföranden Anna Berg yrkar bifall till förslaget.", [("yrkande", "Anna Berg", "")]),
    ("Per Ek och Lisa Holm reserverar sig mot beslutet.",
     [("reservation", "Per Ek", ""), ("reservation", "Lisa Holm", "")]),
    ("Kommunstyrelsen Alingsås föreslår att motionen avslås.", []),
    ("Utbildningsförvaltningen Jönköping föreslår att nämnden tillstyrker.", []),
    # no statement: a decision, a list of attendants, an officer's proposal
    ("Beslut\nNämnden beslutar att anta planen.\n\nNärvarande: Lisa Holm (C), Per Ek (S)", []),
    ("Förvaltningen föreslår att nämnden godkänner rapporten.", []),
    ("Ny ordförande Christopher Rydell (S) föreslås utses till ledamot.", []),
]


@pytest.mark.parametrize(("text", "rows"), CASES)
def test_speakers_table(text, rows):
    assert list(parse_speakers(text)) == rows


def test_parts_a_reader_asks_for():
    text = ("Ärendebeskrivning\nOm budgeten.\n\nBeslutsgång\nOrdföranden ställer förslagen mot "
            "varandra.\n\nOmröstning\nJa 5, nej 4.\n\nReservation\nOlle Ek (M) reserverar sig.\n")
    parts = {name: text[a:b] for name, a, b in part_spans(text)}
    assert "budgeten" in parts["bakgrund"] and "ställer" in parts["beslutsgång"]
    assert "Ja 5" in parts["votering"] and "Olle Ek" in parts["reservation"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Anna Ek (S) yrkar reserverar sig.\nJäv:,M")),
               max_size=120))
def test_never_crashes_and_rows_are_well_formed(text):
    for kind, name, party in parse_speakers(text):
        assert kind in {"yrkande", "reservation", "protokollsanteckning", "jäv"}
        assert (party or name) and (name == "" or len(name.split()) >= 2)
    assert all(0 <= a <= b <= len(text) for _, a, b in part_spans(text))
