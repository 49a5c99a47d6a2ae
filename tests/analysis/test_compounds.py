"""Decompounder: split and non-split tables, the issue examples, precision and recall."""

from __future__ import annotations

from pathlib import Path

import pytest
import snowballstemmer

from searcher.analysis import analyze
from searcher.analysis.compounds import compound_parts, split_compound

LABELLED = Path(__file__).parents[1] / "data" / "compounds_sv.tsv"

SPLITS = [
    ("placeringskostnader", ["placerings", "kostnader"]),
    ("serveringstillstånd", ["serverings", "tillstånd"]),
    ("temperaturmätaren", ["temperatur", "mätaren"]),
    ("sjuklöner", ["sjuk", "löner"]),
    ("brukarombud", ["brukar", "ombud"]),
    ("näringslivsarbete", ["näringslivs", "arbete"]),
    ("namnunderskrifter", ["namn", "underskrifter"]),
    ("kommunstyrelsen", ["kommun", "styrelsen"]),
    ("arbetsmarknadsnämnden", ["arbetsmarknads", "nämnden"]),
    ("brottsofferjouren", ["brottsoffer", "jouren"]),
    ("kompetensförsörjning", ["kompetens", "försörjning"]),
    ("sekretesslagen", ["sekretess", "lagen"]),  # not sekretess|slagen
]
NON_SPLITS = [
    "ordförande", "tillstånd", "underskrifter", "sammanträdet", "personalen", "konsekvens",
    "förvaltningen", "utveckling", "verksamheten", "servering", "placering", "sjukdomar",
    "egendom", "storlek", "fortfarande", "överstiger", "kombination", "fordringar", "riksdagen",
    "psykosociala", "självständigt",
]


@pytest.mark.parametrize(("word", "parts"), SPLITS, ids=[w for w, _ in SPLITS])
def test_splits(word: str, parts: list[str]) -> None:
    found = split_compound(word)
    assert found is not None
    assert [surface for surface, _ in found] == parts


@pytest.mark.parametrize("word", NON_SPLITS)
def test_non_splits(word: str) -> None:
    assert compound_parts(word) == ()


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("placering", "minskade placeringskostnader"),
        ("tillstånd servering", "Serveringstillstånd beviljas"),
        ("temperatur mätare", "Temperaturmätaren visar 4,7"),
        ("sjuk lön", "kostnader för sjuklöner"),
        ("ombud brukare", "ett brukarombud"),
        ("näringsliv", "kommunens näringslivsarbete"),
        ("underskrifter", "saknar därför namnunderskrifter"),
    ],
)
def test_part_queries_meet_compounds_in_the_compound_analyzer(query: str, text: str) -> None:
    indexed = set(analyze(text, "compound"))
    for word in query.split():
        assert set(analyze(word, "compound", mode="query")) <= indexed, word


def test_compound_query_word_becomes_its_parts() -> None:
    assert analyze("serveringstillstånd", "compound", mode="query") == ["servering", "tillstånd"]
    assert set(analyze("tillstånd för servering", "compound")) >= {"servering", "tillstånd"}
    # inside a phrase the word stays whole, like in the index's word position
    phrase = analyze("nya serveringstillstånd", "compound", mode="query")
    assert phrase == ["nya", "serveringstillstånd"]


def test_index_keeps_the_whole_word_and_stacks_parts_on_its_position() -> None:
    from searcher.analysis import compound_analyzer

    ana = compound_analyzer()
    tokens = [(t.text, t.pos) for t in ana("höga placeringskostnader ökar", positions=True)]
    assert tokens == [
        ("hög", 0), ("placeringskostnad", 1), ("placering", 1), ("kostnad", 1), ("ökar", 2)]


def test_swedish_analyzer_has_no_compound_parts() -> None:
    assert analyze("placeringskostnader") == ["placeringskostnad"]


# --------------------------------------------------------------------------- precision / recall

_STEM = snowballstemmer.stemmer("swedish").stemWord


def _forms(part: str) -> set[str]:
    """A gold part and its forms without a linking morpheme (placerings → placering)."""
    forms = {part}
    if part[-1:] in ("s", "e", "a", "u", "o"):
        forms.add(part[:-1])
    if part.endswith("es"):
        forms.add(part[:-2])
    return {_STEM(f) for f in forms} | forms


def _found(gold_part: str, parts: tuple[str, ...]) -> bool:
    forms = _forms(gold_part)
    return any(p in forms or _STEM(p) in forms for p in parts)


def score_table(rows: list[tuple[str, str]]) -> dict[str, float]:
    """Precision, recall and false-split rate of compound_parts() against a labelled table."""
    tp = fp = fn = false_splits = non = 0
    for word, gold in rows:
        parts = compound_parts(word)
        if gold == "-":
            non += 1
            if parts:
                fp += 1
                false_splits += 1
            continue
        if parts and all(_found(g, parts) for g in gold.split("|")):
            tp += 1
        else:
            fn += 1
            if parts:
                fp += 1  # split, but wrongly
    return {
        "precision": tp / max(tp + fp, 1),
        "recall": tp / max(tp + fn, 1),
        "false_split_rate": false_splits / max(non, 1),
        "compounds": tp + fn,
        "non_compounds": non,
    }


def _labelled() -> list[tuple[str, str]]:
    rows = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, gold = line.split("\t")
            rows.append((word, gold))
    return rows


def test_labelled_table_precision_and_recall() -> None:
    scores = score_table(_labelled())
    print(scores)  # shown with pytest -s; figures go into the report
    assert scores["compounds"] >= 300 and scores["non_compounds"] >= 300
    assert scores["precision"] >= 0.95
    assert scores["false_split_rate"] <= 0.03
    assert scores["recall"] >= 0.80
