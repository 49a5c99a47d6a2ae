"""Term matching on raw text, and the dictionary's inflection families behind `inflected`."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.analysis.matching import DEFAULT_CASE, DEFAULT_FORM, Case, Form, TermMatcher
from searcher.analysis.morphology import family
from searcher.errors import BadQueryError


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("yttrande", {"yttrande", "yttrandes", "yttrandet", "yttrandets", "yttranden",
                      "yttrandens", "yttrandena", "yttrandenas"}),
        ("yttrandet", {"yttrande", "yttrandes", "yttrandet", "yttrandets", "yttranden",
                       "yttrandens", "yttrandena", "yttrandenas"}),  # a form finds its lemma
        ("nämnd", {"nämnd", "nämnds", "nämnden", "nämndens", "nämnder", "nämnders",
                   "nämnderna", "nämndernas"}),
        ("beslut", {"beslut", "besluts", "beslutet", "beslutets", "besluten", "beslutens"}),
        ("växjö", {"växjö", "växjös"}),  # no derivations (växjöbo)
    ],
)
def test_families_from_the_dictionary(word, expected):
    assert family(word) == expected


def test_compound_family_comes_from_its_last_part():
    forms = family("brottsofferjouren")
    assert {"brottsofferjour", "brottsofferjouren", "brottsofferjourens",
            "brottsofferjourer"} <= forms
    assert "brottsoffer" not in forms


def test_unknown_words_have_no_family():
    assert family("kpmgx") is None and family("2022") is None


def _found(term: str, text: str, form: Form = Form.exact, case: Case = Case.smart) -> list[str]:
    return [text[m.start:m.end] for m in TermMatcher(term, form, case).finditer(text)]


@pytest.mark.parametrize(
    ("term", "form", "text", "found"),
    [
        ("Balans-22", Form.exact, "*Balans-22, Balans–22 och Balans-220, balans-22",
         ["Balans-22", "Balans–22"]),  # any dash; whole words; smart case
        ("balans-22", Form.exact, "Balans-22 balans-22", ["Balans-22", "balans-22"]),
        ("Dnr 2022-00295", Form.exact, "Dnr\n2022-00295 och Dnr 2022-002951",
         ["Dnr\n2022-00295"]),
        ("43", Form.exact, "2,43 och 43", ["43"]),  # not inside a decimal number
        ("§ 259", Form.exact, "§ 259 och 259", ["§ 259"]),
        ("KPMG", Form.inflected, "KPMG:s och KPMGs, kpmg", ["KPMG:s", "KPMGs"]),
        ("KPMG", Form.inflected, "kpmg", []),
        ("kpmg", Form.inflected, "KPMG", ["KPMG"]),
        ("Yttrande", Form.inflected, "Yttrandet och yttrandet", ["Yttrandet"]),
        ("Yttrande", Form.exact, "yttrande", []),
        ("jour", Form.compound, "Brottsofferjourens jour jourer", ["Brottsofferjourens", "jour",
                                                                  "jourer"]),
        ("Hållbara Växjö", Form.inflected, "Hållbara  Växjös mål", ["Hållbara  Växjös"]),
    ],
)
def test_matcher_table(term, form, text, found):
    assert _found(term, text, form) == found


def _variants(term: str, text: str, form: Form = DEFAULT_FORM) -> list[str]:
    return [text[m.start:m.end] for m in TermMatcher(term, form, DEFAULT_CASE,
                                                     variants=True).finditer(text)]


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [  # what `mentions` counts by default: a reader's count
        ("AB CD", "AB-CD:s styrelse, AB CD och ABCD; ab cd", ["AB-CD:s", "AB CD", "ABCD", "ab cd"]),
        ("KS-2024-00123", "KS 2024-00123, KS-2024-00123, KS 2024 00123 men KS-2024-001234",
         ["KS 2024-00123", "KS-2024-00123", "KS 2024 00123"]),
        ("Balans-22", "Balans 22, Balans22, Balans-22:s, balans-22 men Balans-220",
         ["Balans 22", "Balans22", "Balans-22:s", "balans-22"]),
        ("MSB", "MSB:s, MSB´s, MSB1629, www.msb.se men MSBFS och Amsberg",
         ["MSB:s", "MSB´s", "MSB", "msb"]),
        ("SFI", "sfi och SFI:s", ["sfi", "SFI:s"]),
        ("Energimyndigheten", "Statens energimyndighet, Energimyndighetens",
         ["energimyndighet", "Energimyndighetens"]),
        ("Myndigheten för samhällsskydd och beredskap",
         "Myndighetens för samhällsskydd och\nberedskap, Myndigheten för Samhällsskydd och "
         "Beredskaps", ["Myndighetens för samhällsskydd och\nberedskap",
                        "Myndigheten för Samhällsskydd och Beredskaps"]),
        ("Barn- och utbildningsnämnden", "barnoch utbildningsnämndens beslut",
         ["barnoch utbildningsnämndens"]),
        ("2006:544", "2006:2006:544 och 12006:544", ["2006:544"]),
        ("covid-19", "Covid-19-relaterad, covid 19 men covid-190", ["Covid-19", "covid 19"]),
    ],
)
def test_reader_variants_table(term, text, found):
    assert _variants(term, text) == found


def test_exact_narrows_the_variants():
    assert _variants("Balans-22", "Balans 22 Balans22 Balans-22", Form.exact) == ["Balans-22"]


def test_case_override():
    assert _found("KPMG", "kpmg", Form.exact, Case.ignore) == ["kpmg"]
    assert _found("kpmg", "KPMG", Form.exact, Case.sensitive) == []


def test_compound_hit_is_the_part():
    m = next(TermMatcher("kostnad", Form.compound).finditer("Placeringskostnaderna"))
    assert (m.start, m.end, m.hit_start, m.hit_end) == (0, 21, 10, 21)


WORDISH = st.text(alphabet=st.sampled_from(list("abjourKPMG2,0- §:\n.*")), max_size=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(term=WORDISH, text=WORDISH, form=st.sampled_from(list(Form)),
       case=st.sampled_from(list(Case)), variants=st.booleans())
def test_matcher_never_crashes_and_matches_are_in_order(term, text, form, case, variants):
    try:
        matcher = TermMatcher(term, form, case, variants=variants)
    except BadQueryError:
        assert not any(c.isalnum() for c in term)
        return
    found = list(matcher.finditer(text))
    assert all(0 <= m.start <= m.hit_start < m.hit_end <= m.end <= len(text) for m in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    if form == Form.exact and case == Case.ignore:  # the literal term is always found in itself
        assert list(TermMatcher(term, form, case).finditer(term.strip()))
