"""Identifier table: each form → exact-analyzer tokens in index mode (positions) and query mode."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.analysis import analyze, get_analyzer
from searcher.analysis.tokenizer import IdentifierTokenizer

# (text, index tokens as (text, position), query-mode tokens for the text alone)
IDENTIFIERS = [
    ("Balans-22", [("balans-22", 0), ("balans22", 0), ("balans", 0), ("22", 1)], ["balans-22"]),
    ("Balans22", [("balans22", 0), ("balans", 0), ("22", 1)], ["balans22"]),
    ("Dnr 2022-00295",
     [("dnr2022-00295", 0), ("dnr2022/295", 0), ("dnr", 0),
      ("2022-00295", 1), ("2022/295", 1), ("2022", 1), ("00295", 2)],
     ["dnr2022/295"]),
    ("2022-00295", [("2022-00295", 0), ("2022/295", 0), ("2022", 0), ("00295", 1)], ["2022/295"]),
    ("KS 2022/123",
     [("ks2022/123", 0), ("ks", 0), ("2022/123", 1), ("2022", 1), ("123", 2)],
     ["ks2022/123"]),
    ("KS/2022/0123",
     [("ks2022/0123", 0), ("ks2022/123", 0), ("ks", 0),
      ("2022/0123", 1), ("2022/123", 1), ("2022", 1), ("0123", 2)],
     ["ks2022/123"]),
    ("§ 259", [("§259", 0), ("§", 0), ("259", 1)], ["§259"]),
    ("§§ 257-264",
     [("§§257-264", 0), ("§§", 0), ("257-264", 1), ("257", 1), ("264", 2)],
     ["§§257-264"]),
    ("5 kap. 11 §", [("5kap11§", 0), ("5", 0), ("kap", 1), ("11", 2), ("§", 3)], ["5kap11§"]),
    ("7 §", [("7§", 0), ("7", 0), ("§", 1)], ["7§"]),
    ("SFS 2001:453",
     [("sfs2001:453", 0), ("sfs", 0), ("2001:453", 1), ("2001", 1), ("453", 2)],
     ["sfs2001:453"]),
    ("COM (2022) 197",
     [("com(2022)197", 0), ("com", 0), ("2022", 1), ("197", 2)],
     ["com(2022)197"]),
    ("2,43", [("2,43", 0)], ["2,43"]),
    ("21,5 miljoner", [("21,5", 0), ("miljoner", 1)], ["21,5", "miljoner"]),
    ("3 000 tkr", [("3000", 0), ("3", 0), ("000", 1), ("tkr", 2)], ["3", "000", "tkr"]),
    ("3 000", [("3000", 0), ("3", 0), ("000", 1)], ["3000"]),
    ("info@vaxjo.se",
     [("info@vaxjo.se", 0), ("info", 0), ("vaxjo", 1), ("se", 2)],
     ["info@vaxjo.se"]),
    ("https://www.vaxjo.se/politik.",
     [("https://www.vaxjo.se/politik", 0), ("https", 0), ("www", 1), ("vaxjo", 2), ("se", 3),
      ("politik", 4)],
     ["https://www.vaxjo.se/politik"]),
    ("e-tjänster",
     [("e-tjänster", 0), ("etjänster", 0), ("e", 0), ("tjänster", 1)],
     ["e-tjänster"]),
    ("in- och omställda", [("in", 0), ("och", 1), ("omställda", 2)], ["in", "och", "omställda"]),
    ("2019 2020", [("2019", 0), ("2020", 1)], ["2019", "2020"]),
    ("KPMG:s", [("kpmg", 0)], ["kpmg"]),
    ("COVID-19", [("covid-19", 0), ("covid19", 0), ("covid", 0), ("19", 1)], ["covid-19"]),
    ("kl. 10:00-10:02",
     [("kl", 0), ("10:00-10:02", 1), ("10", 1), ("00", 2), ("10", 3), ("02", 4)],
     ["kl", "10", "00", "10", "02"]),
]


def _index_tokens(text: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in get_analyzer("exact")(text, positions=True, mode="index")]


@pytest.mark.parametrize(("text", "index", "query"), IDENTIFIERS, ids=[r[0] for r in IDENTIFIERS])
def test_identifier_tokens(text: str, index: list[tuple[str, int]], query: list[str]) -> None:
    assert _index_tokens(text) == index
    assert analyze(text, "exact", mode="query") == query


@pytest.mark.parametrize("spelling", ["Balans-22", "balans-22", "BALANS-22", "Balans–22"])
def test_identifier_spellings_share_one_query_token(spelling: str) -> None:
    assert analyze(spelling, "exact", mode="query") == ["balans-22"]


@pytest.mark.parametrize("spelling", ["2022-00295", "2022/295", "2022-0295", "2022/00295"])
def test_dnr_spellings_share_one_key(spelling: str) -> None:
    assert analyze(spelling, "exact", mode="query") == ["2022/295"]


def test_identifier_inside_a_phrase_yields_its_parts() -> None:
    # In a longer query text (a phrase) an identifier becomes its parts, one per position,
    # which is what the index holds at consecutive positions.
    assert analyze("Balans-22 långsiktig", "exact", mode="query") == ["balans", "22", "långsiktig"]
    assert analyze("enligt § 259", "exact", mode="query") == ["enligt", "§", "259"]


def test_positions_after_an_identifier_continue_after_its_parts() -> None:
    tokens = _index_tokens("i Balans-22 förlöpt")
    assert tokens[-1] == ("förlöpt", 3)


def test_tokenize_false_yields_the_text_as_one_token() -> None:
    ana = get_analyzer("exact")
    assert [t.text for t in ana("Kompetens", tokenize=False, mode="query")] == ["kompetens"]


def test_char_offsets_point_at_the_source_text() -> None:
    text = "Se Dnr 2022-00295 och Balans-22."
    for t in get_analyzer("exact")(text, positions=True, chars=True, mode="index"):
        source = text[t.startchar:t.endchar].lower()
        assert source, t.text
        if t.text in ("balans", "22", "dnr", "2022", "00295"):
            assert source == t.text


_UNITS = st.sampled_from(
    ["och", "Dnr", "KS", "2022-00295", "2022/295", "KS 2022/123", "§", "§§ 12-14", "12", "3 000",
     "5 kap.", "Balans-22", "e-tjänster", "SFS", "2010:800", "KPMG:s", "www.example.se/a",
     "ks@kommun.se", "COM(2020) 45", "–", "-", "/", ".", ",", "Ärende", "2021-12-01", "x2",
     "Dnr KS/2022/0123", "§ 259", "a-b-c"])
_GAPS = st.sampled_from([" ", "  ", "\n", "\u00a0", "", ": ", ", ", "\t"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_UNITS, _GAPS), max_size=25).map(
    lambda pairs: "".join(u + g for u, g in pairs)))
def test_index_units_are_the_tokens_index_mode_yields(text):
    tokenizer = IdentifierTokenizer()
    expected = [(t.text, t.pos, t.kind)
                for t in tokenizer(text, positions=True, boosts=True, mode="index")]
    assert tokenizer.index_units(text) == expected
