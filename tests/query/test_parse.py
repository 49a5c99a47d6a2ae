"""The query language: what each input becomes, which inputs are errors, and that nothing but
BadQueryError ever comes out (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.errors import BadQueryError
from searcher.lexical.index import LexicalIndex
from searcher.query.parse import parse_query

# input → (text_for_lexical, text_for_semantic, filters)
TABLE = [
    ("Balans-22", "Balans-22", "Balans-22", {}),
    ('"tillstånd för servering"', '"tillstånd för servering"', "tillstånd för servering", {}),
    ("placering OCH ranking", "placering AND ranking", "placering ranking", {}),
    ("KPMG ELLER revisorer", "KPMG OR revisorer", "KPMG revisorer", {}),
    ("KPMG INTE rapport", "(KPMG) ANDNOT rapport", "KPMG", {}),
    ("a AND NOT b OR c", "(a OR c) ANDNOT b", "a c", {}),
    ("NOT a NOT b", "NOT (a OR b)", "", {}),
    ("x INTE (a ELLER b)", "(x) ANDNOT (a OR b)", "x", {}),
    ("kompetens*", "kompetens*", "kompetens", {}),
    ("yttrande dnr:2022-00295", "yttrande", "yttrande", {"dnr": "2022-00295"}),
    ("Balans-22 typ:rapport år:2020", "Balans-22", "Balans-22", {"typ": "rapport", "year": "2020"}),
    ("yttrande datum:2020..2022", "yttrande", "yttrande", {"year": "2020..2022"}),
    ("yttrande datum:..2021", "yttrande", "yttrande", {"year": "..2021"}),
    ('yttrande organ:"Kommunstyrelsens arbetsutskott"', "yttrande", "yttrande",
     {"organ": "Kommunstyrelsens arbetsutskott"}),
    ("kommun:Växjö AND paragraf:259 beslut", "beslut", "beslut",
     {"kommun": "Växjö", "paragraf": "259"}),
    ("(typ:protokoll) KPMG", "KPMG", "KPMG", {"typ": "protokoll"}),
    ("KPMG:s rapport", "KPMG:s rapport", "KPMG:s rapport", {}),  # a case ending, not a field
    ("SFS 2001:453 kl. 10:00", "SFS 2001:453 kl. 10:00", "SFS 2001:453 kl. 10:00", {}),
    ("https://www.vaxjo.se", "https://www.vaxjo.se", "https://www.vaxjo.se", {}),
    ("obs: viktigt", "obs: viktigt", "obs: viktigt", {}),  # a colon ending a word in prose
    ("“citat med typografiska tecken”", '"citat med typografiska tecken"',
     "citat med typografiska tecken", {}),
    ("vikt^2 [a TO b]", "vikt 2 a TO b", "vikt^2 [a TO b]", {}),  # whoosh syntax is defused
]


@pytest.mark.parametrize(("query", "lexical", "semantic", "filters"), TABLE)
def test_parse_table(query, lexical, semantic, filters):
    p = parse_query(query)
    assert (p.text_for_lexical, p.text_for_semantic, p.filters) == (lexical, semantic, filters)


def test_parts_of_the_parse():
    p = parse_query('"tillstånd för servering" kompetens* NOT "Balans 22" typ:rapport')
    assert p.phrases == ("tillstånd för servering",)
    assert p.terms == ("kompetens*",)
    assert p.negated == ("Balans 22",)
    assert p.has_operators and not p.is_empty()
    assert parse_query("typ:rapport").is_empty()


MALFORMED = [
    ("", "empty query"),
    ('"Balans 22', "unbalanced quote"),
    ("(KPMG OR rapport", "'(' without ')'"),
    ("KPMG)", "')' without '('"),
    ("()", "empty parentheses"),
    ("KPMG AND", "AND needs something after it"),
    ("KPMG OCH", "AND needs something after it"),
    ("OR KPMG", "OR needs something before it"),
    ("KPMG INTE", "NOT needs something after it"),
    ("a AND OR b", "AND needs something after it"),
    ("(AND a)", "AND needs something before it"),
    ("färg:röd", "unknown field färg:"),
    ("typ:", "typ: needs a value"),
    ('organ:"Kommunstyrelsen', "unbalanced quote"),
    ("datum:igår", "not a year or range"),
    ("NOT typ:rapport", "a filter cannot be negated"),
    ("typ:a typ:b", "given twice"),
    ("k*", "only prefixes of 2+ letters"),
    ("*kompetens", "only prefixes"),
]


@pytest.mark.parametrize(("query", "message"), MALFORMED)
def test_malformed_queries_are_one_line_errors(query, message):
    with pytest.raises(BadQueryError) as e:
        parse_query(query)
    text = str(e.value)
    assert message in text and "\n" not in text
    if query:
        assert repr(query) in text  # the error names the query


QUERYISH = st.lists(
    st.sampled_from(list('abkpåöKPMGDnr0123 ()"*:-.§“^[')
                    + ["AND ", " OR ", "NOT ", " OCH ", "INTE ", "typ:", "datum:", "år:2020",
                       "dnr:", "färg:", ".."]),
    max_size=30,
).map("".join)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(query=st.one_of(st.text(max_size=40), QUERYISH))
def test_parse_query_raises_only_bad_query_errors(query):
    try:
        parse_query(query)
    except BadQueryError:
        pass


@pytest.fixture(scope="module")
def whoosh_parser(lexical_index_dir):
    from searcher.store import layout

    generation, _ = layout.require_current(lexical_index_dir)
    lexical = LexicalIndex(generation / "lexical")
    yield lexical
    lexical.close()


@SETTINGS
@given(query=QUERYISH)
def test_what_parses_also_parses_in_whoosh(whoosh_parser, query):
    try:
        p = parse_query(query)
    except BadQueryError:
        return
    if p.text_for_lexical.strip():
        whoosh_parser.parse(p.text_for_lexical)


@pytest.mark.parametrize("query, lexical", [
    ("^NOT AND a", "not AND a"),  # found by the property test above: whoosh raised
    ("a^OR b", "a or b"),
    ("[AND] b", "and b"),
])
def test_a_word_that_turns_into_an_operator_stays_a_word(whoosh_parser, query, lexical):
    p = parse_query(query)
    assert p.text_for_lexical == lexical
    whoosh_parser.parse(p.text_for_lexical)
