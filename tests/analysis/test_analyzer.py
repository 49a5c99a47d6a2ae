"""Pinned analyzer output on Swedish sentences (style.md Part 5; Snowball 3: beslutet → beslut)."""

from __future__ import annotations

import pickle

import pytest

from searcher.analysis import (
    ANALYZER_VERSION,
    SWEDISH_STOP_WORDS,
    analyze,
    compound_analyzer,
    exact_analyzer,
    swedish_analyzer,
)

SWEDISH = [
    ("Nämnden beslutade att anta detaljplanen.", ["nämnd", "beslut", "ant", "detaljplan"]),
    ("nämnd nämnder nämndens", ["nämnd", "nämnd", "nämnd"]),
    ("beslut beslutet besluten", ["beslut", "beslut", "beslut"]),  # Snowball 3.x strips -et
    ("Kommunstyrelsen protokollet sammanträdet", ["kommunstyr", "protokollet", "sammanträd"]),
    ("Arbetsutskottet utser Malin Lauber (S) till att justera protokollet.",
     ["arbetsutskottet", "uts", "malin", "laub", "s", "juster", "protokollet"]),
    ("Växjö kommun har under en tid tappat placeringar i Svenskt Näringslivs ranking",
     ["växjö", "kommun", "tid", "tapp", "placering", "svensk", "näringsliv", "ranking"]),
    ("Sjukfrånvaron i andel av tillgänglig ordinarie arbetstid är 5,6 procent",
     ["sjukfrånvaron", "andel", "tillgäng", "ordinari", "arbetstid", "5,6", "procent"]),
    # English words are not stop words here: "is" is Swedish for ice.
    ("the is be may", ["the", "is", "be", "may"]),
]


@pytest.mark.parametrize(("text", "tokens"), SWEDISH, ids=[row[0][:30] for row in SWEDISH])
def test_swedish_analyzer_table(text: str, tokens: list[str]) -> None:
    assert analyze(text) == tokens
    assert analyze(text, mode="query") == tokens


def test_stop_list_is_snowball_swedish_only() -> None:
    assert len(SWEDISH_STOP_WORDS) == 114
    assert {"och", "att", "för", "över"} <= SWEDISH_STOP_WORDS
    assert not {"the", "is", "be", "a"} & SWEDISH_STOP_WORDS


def test_exact_analyzer_keeps_words_and_stop_words() -> None:
    assert analyze("Beslutet att anta Balans-22", "exact") == [
        "beslutet", "att", "anta", "balans-22", "balans22", "balans", "22"]


def test_identifiers_are_not_stemmed() -> None:
    assert analyze("Balans-22", mode="query") == ["balans-22"]
    assert "balans-22" in analyze("plan Balans-22")
    assert analyze("Dnr 2022-00295", mode="query") == ["dnr2022/295"]


def test_stop_words_renumber_positions_per_position() -> None:
    ana = swedish_analyzer()
    text = "tillstånd för servering av Balans-22 och"
    tokens = [(t.text, t.pos) for t in ana(text, positions=True)]
    assert tokens == [("tillstånd", 0), ("servering", 1), ("balans-22", 2), ("balans22", 2),
                      ("balan", 2), ("22", 3)]


def test_unknown_analyzer_and_mode_are_rejected() -> None:
    with pytest.raises(ValueError, match="choose from swedish, compound, exact"):
        analyze("x", "english")
    with pytest.raises(ValueError, match="unknown mode"):
        analyze("x", mode="search")


@pytest.mark.parametrize("factory", [swedish_analyzer, compound_analyzer, exact_analyzer])
def test_analyzers_pickle_small_and_round_trip(factory) -> None:
    ana = factory()
    text = "Placeringskostnaderna för Balans-22 enligt Dnr 2022-00295 ökade med 3 000 tkr."
    before = [(t.text, t.pos) for t in ana(text, positions=True)]
    data = pickle.dumps(ana, 2)
    assert len(data) < 4096  # no lexicon, no stemmer cache inside the index's schema pickle
    after = [(t.text, t.pos) for t in pickle.loads(data)(text, positions=True)]
    assert after == before


def test_version_is_a_nonempty_string() -> None:
    assert isinstance(ANALYZER_VERSION, str) and ANALYZER_VERSION
