"""searcher.tools.explore: keyness against oracles, term counting, documents, neighbours,
corpus stats."""

from __future__ import annotations

import math
import random

import pytest

from searcher.errors import BadQueryError
from searcher.tools.explore import (
    BlockKind,
    TermCounts,
    corpus_stats,
    count_terms,
    key_terms,
    list_documents,
    log_likelihood,
    section_context,
    text_blocks,
)
from searcher.tools.explore.keyness import CRITICAL_G2, log_ratio, p_value
from tests.conftest import PROTOCOL, REPORT

KSAU = "Kommunstyrelsens arbetsutskott"


# -- keyness: the measure ----------------------------------------------------------------------
def _g2_entropy(a: int, b: int, size_a: int, size_b: int) -> float:
    """Dunning (1993) in its entropy form: 2 (Σ k ln k − Σ rows − Σ columns + N ln N)."""

    def xlx(x: float) -> float:
        return x * math.log(x) if x > 0 else 0.0

    c, d = size_a - a, size_b - b
    n = size_a + size_b
    cells = xlx(a) + xlx(b) + xlx(c) + xlx(d)
    rows = xlx(a + b) + xlx(c + d)
    cols = xlx(size_a) + xlx(size_b)
    return 2 * (cells - rows - cols + xlx(n))


def test_log_likelihood_matches_the_entropy_form_on_random_tables():
    rng = random.Random(7)
    for _ in range(500):
        size_a, size_b = rng.randint(1, 5000), rng.randint(1, 50000)
        a, b = rng.randint(0, size_a), rng.randint(0, size_b)
        assert log_likelihood(a, b, size_a, size_b) == pytest.approx(
            _g2_entropy(a, b, size_a, size_b), abs=1e-6)


def test_log_likelihood_hand_computed_and_degenerate_cases():
    # a=10 of 100 vs b=10 of 1000: E = 20*100/1100, 20*1000/1100 for the term row, etc.
    n, row, rest_row = 1100, 20, 1080
    expected = 2 * sum(o * math.log(o / e) for o, e in [
        (10, row * 100 / n), (10, row * 1000 / n),
        (90, rest_row * 100 / n), (990, rest_row * 1000 / n)])
    assert log_likelihood(10, 10, 100, 1000) == pytest.approx(expected)
    assert log_likelihood(5, 50, 100, 1000) == pytest.approx(0.0, abs=1e-12)  # same rate
    assert log_likelihood(0, 0, 100, 1000) == 0.0
    assert log_likelihood(3, 0, 3, 0) == 0.0  # no rest: nothing to compare
    with pytest.raises(ValueError, match="within their corpus sizes"):
        log_likelihood(5, 0, 4, 10)


def test_p_value_and_log_ratio():
    assert p_value(CRITICAL_G2) == pytest.approx(0.05, abs=1e-3)
    assert p_value(10.83) == pytest.approx(0.001, abs=1e-4)
    assert log_ratio(20, 10, 1000, 1000) == pytest.approx(1.0)
    assert log_ratio(4, 0, 1000, 1000) == pytest.approx(math.log2(4 / 0.5))


# -- keyness: what is counted ------------------------------------------------------------------
def test_each_running_word_counts_once_as_its_stem():
    counts = count_terms(["Balans-22 och e-hälsa, Dnr 2022-00295 § 259 och 26 456 tkr."])
    # identifiers' parts and joined forms are not counted again; numbers and § not at all
    assert dict(counts.freq) == {"balans-22": 1, "e-häls": 1, "dnr": 1, "tkr": 1}
    assert counts.surface("balans-22") == "Balans-22"


def test_surface_form_is_the_most_frequent_word_of_the_stem():
    counts = count_terms(["Nämnden beslutade. nämnden nämnden nämnd Nämnder"])
    assert counts.freq["nämnd"] == 5
    assert counts.surface("nämnd") == "nämnden"  # 3 × nämnden (any case) beats nämnd, nämnder
    assert count_terms(["Växjö växjö Växjö"]).surface("växjö") == "Växjö"


def test_key_terms_are_the_overused_significant_ones_strongest_first():
    subset, rest = TermCounts(), TermCounts()
    subset.freq.update({"bygglov": 30, "detaljplan": 10, "budget": 10, "ovanlig": 2})
    rest.freq.update({"bygglov": 10, "detaljplan": 5, "budget": 400, "ovanlig": 0, "skola": 500})
    keys = key_terms(subset, rest, top=10, min_freq=3)
    assert [k.stem for k in keys] == ["bygglov", "detaljplan"]  # budget underused; ovanlig rare
    assert keys[0].g2 > keys[1].g2 >= CRITICAL_G2
    assert keys[0].subset_freq == 30 and keys[0].rest_freq == 10
    assert key_terms(subset, TermCounts()) == []  # nothing to compare with


# -- the corpus ----------------------------------------------------------------------------------
def test_list_documents_and_filters(lexical_index):
    docs = list_documents(lexical_index)
    assert [d.doc for d in docs] == [PROTOCOL, REPORT]
    assert docs[0].organ == KSAU and docs[0].n_sections == 9 and docs[0].date == "2022-08-16"
    assert [d.doc for d in list_documents(lexical_index, {"typ": "PROTOKOLL"})] == [PROTOCOL]
    assert [d.doc for d in list_documents(lexical_index, {"year": "2019..2020"})] == [REPORT]
    assert list_documents(lexical_index, {"organ": "nope"}) == []
    with pytest.raises(BadQueryError, match="unknown filter 'farg'"):
        list_documents(lexical_index, {"farg": "blå"})


def test_section_context_gives_neighbours_in_order(lexical_index):
    ctx = section_context(lexical_index, "000_5ef240bb4f3b8a0b/p261", 2)
    assert [s.paragraph for s in ctx.before] == ["259", "260"]
    assert [s.paragraph for s in ctx.after] == ["262", "263"]
    d = ctx.to_dict()
    assert d["paragraph"] == "261" and [s["paragraph"] for s in d["context"]["after"]] == [
        "262", "263"]
    first = lexical_index.sections(PROTOCOL)[0]
    assert section_context(lexical_index, first.section_id, 3).before == ()
    assert section_context(lexical_index, "000_5ef240bb4f3b8a0b/p261").after == ()


def test_a_missing_section_says_what_to_do(lexical_index):
    with pytest.raises(BadQueryError, match=r"did you mean .*000_5ef240bb4f3b8a0b/p261"):
        section_context(lexical_index, "000_5ef240bb4f3b8a0b/p271")
    with pytest.raises(BadQueryError, match="searcher search QUERY"):
        section_context(lexical_index, "nowhere/p1")


def test_corpus_figures_add_up(lexical_index):
    stats = corpus_stats(lexical_index)
    assert stats.corpus.documents == 2 and stats.corpus.sections == 97
    assert stats.subset is None and stats.key_terms == ()
    for group in ("type", "organ", "year"):
        rows = [f for f in stats.groups if f.group == group]
        assert sum(f.sections for f in rows) == stats.corpus.sections
        assert sum(f.words for f in rows) == stats.corpus.words
    years = {f.value: f.sections for f in stats.groups if f.group == "year"}
    assert years == {"2020": 88, "2022": 9}
    assert set(stats.to_dict()) == {"corpus", "by", "subset", "notes"}


def test_key_terms_of_the_protocol_organ(lexical_index):
    stats = corpus_stats(lexical_index, {"organ": KSAU}, top=10)
    assert stats.subset.documents == 1 and stats.subset.sections == 9
    terms = [k.term for k in stats.key_terms]
    assert terms[0] == "kommunstyrelsen"  # shown as a word, counted as the stem kommunstyr
    assert stats.key_terms[0].stem == "kommunstyr"
    assert {"Dnr", "yttrande", "revisorer"} <= set(terms)
    assert all(k.g2 >= CRITICAL_G2 and k.subset_freq >= 3 for k in stats.key_terms)
    assert [k.g2 for k in stats.key_terms] == sorted((k.g2 for k in stats.key_terms), reverse=True)
    same = corpus_stats(lexical_index, {"doc": "000_5ef240bb4f3b8a0b"}, top=10)  # a stem is enough
    assert [k.stem for k in same.key_terms] == [k.stem for k in stats.key_terms]


def test_subsets_that_cannot_be_compared(lexical_index):
    with pytest.raises(BadQueryError, match=f"--organ is one of: {KSAU}"):
        corpus_stats(lexical_index, {"organ": "Kommunstyrelsen"})
    whole = corpus_stats(lexical_index, {"kommun": "Växjö"})
    assert whole.key_terms == () and "whole corpus" in whole.notes[0]


# -- reading -------------------------------------------------------------------------------------
def test_text_blocks_find_headings_paragraphs_and_tables():
    text = ("Driftredovisning\n\nVerksamhet, tkr\tUtfall 2020\tBudget 2020\n"
            "Avdelning vuxna\t31 256\t-278 161\nPersonal:\nSumma\t1\t2\n\n"
            "Nämndens resultat visar en positiv budgetavvikelse.\nEn rad till.")
    blocks = text_blocks(text)
    assert [b.kind for b in blocks] == [BlockKind.heading, BlockKind.table, BlockKind.paragraph]
    table = blocks[1]
    assert table.header and table.rows[0] == ("Verksamhet, tkr", "Utfall 2020", "Budget 2020")
    assert table.rows[2] == ("Personal:",)  # a lone line between rows stays in the table
    assert blocks[2].text.endswith("En rad till.")
    assert not text_blocks("KF\t Välfärden ska tryggas.\nN/S\t Arbetet fortgår.")[0].header
