"""Layout rules of the terminal views, for any width and any text (hypothesis): the hits and
the concordance never overflow the terminal, the concordance's matches share one column, its
left context ends at that column, and the sort orders are Korp's."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from searcher.cli.mentions_cmds import SortBy, concordance, reference, sort_mentions
from searcher.cli.render import found_by, results_table
from searcher.records import Result, Section
from searcher.tools.mentions import Mention

_TEXT = st.text(st.sampled_from("abcåäö ÅÄÖ§-.,:0123456789\n\t"), max_size=300)
_WORD = st.text(st.sampled_from("abcåäöKPMG-2"), min_size=1, max_size=40)


def _mention(doc, left, match, right, paragraph=None, page=None, date=None, sid="d/p1"):
    return Mention(term=match, doc=doc, section_id=sid, where=f"§ {paragraph}" if paragraph
                   else "Rubrik", paragraph=paragraph, page=page, date=date,
                   year=int(date[:4]) if date else None, match=match, start=0, end=len(match),
                   left=left, right=right)


mentions_strategy = st.lists(st.builds(
    _mention, doc=st.sampled_from(["a.txt", "ett_mycket_langt_dokumentnamn_2022.txt"]),
    left=_TEXT.map(lambda s: " ".join(s.split())[-60:]),
    match=_WORD, right=_TEXT.map(lambda s: " ".join(s.split())[:60]),
    paragraph=st.one_of(st.none(), st.integers(1, 999).map(str)),
    page=st.one_of(st.none(), st.integers(1, 400)),
    date=st.one_of(st.none(), st.sampled_from(["2019-05-02", "2022-08-16", "2020"]))),
    min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(mentions_strategy, st.integers(30, 220), st.booleans(),
       st.one_of(st.none(), st.integers(1, 80)))
def test_concordance_lines_fit_and_align(found, width, wide, context):
    lines = concordance(found, width, wide=wide, context=context)
    assert all(len(line.plain) <= width for line in lines)
    kwic = [line for line in lines if line.style != "bold cyan"]  # not document headings
    assert len(kwic) == len(found)
    starts = {_match_start(line) for line in kwic}
    assert len(starts) == 1 or width < 60  # one match column (a tiny terminal may crop it)


def _match_start(line) -> int | None:
    return next((span.start for span in line.spans if span.style == "bold yellow"), None)


def test_left_context_is_right_aligned_against_the_match():
    found = [_mention("a.txt", "kort", "KPMG", "efter"),
             _mention("a.txt", "en mycket längre vänsterkontext här", "KPMG", "x")]
    lines = concordance(found, 100)
    for line, m in zip(lines[1:], found, strict=True):
        start = _match_start(line)
        assert line.plain[:start].rstrip().endswith(m.left)
        assert line.plain[start:].startswith("KPMG")


def test_context_caps_each_side():
    found = [_mention("a.txt", "v" * 60, "KPMG", "h" * 60)]
    line = concordance(found, 200, context=10)[1].plain
    assert "v" * 9 in line and "v" * 11 not in line and "h" * 11 not in line


@pytest.mark.parametrize(("by", "expected"), [
    (SortBy.doc, ["b", "a", "c"]),
    (SortBy.left, ["a", "c", "b"]),  # by the word nearest the match: "alfa", "beta", "gamma"
    (SortBy.right, ["c", "a", "b"]),
    (SortBy.date, ["a", "c", "b"]),
])
def test_sort_orders(by, expected):
    found = [_mention("b", "x gamma", "T", "zeta", date="2022-01-01"),
             _mention("a", "y alfa", "T", "eta", date="2019-01-01"),
             _mention("c", "z beta", "T", "delta", date="2020")]
    assert [m.doc for m in sort_mentions(found, by)] == expected


@pytest.mark.parametrize(("m", "ref"), [
    (_mention("a", "", "T", "", paragraph="259", page=4), "§ 259 s.4"),
    (_mention("a", "", "T", "", sid="a/s055"), "s055"),
    (_mention("a", "", "T", "", sid=None), "contents"),
])
def test_the_narrow_reference(m, ref):
    assert reference(m) == ref


def _result(rank, title, text, lex=None, sem=None, page=None):
    section = Section(section_id=f"doc/p{rank}", doc="ett_dokument.txt", ordinal=rank,
                      kind="paragraph", title=title, text=text, paragraph=str(rank),
                      dnr="2022-00295", page=page)
    return Result(rank=rank, score=0.03, section=section, lexical_rank=lex, semantic_rank=sem,
                  lexical_score=1.5 if lex else None, semantic_score=0.8 if sem else None)


@example([("\n\n\n", "", None, None)], 30, False)  # a title of line breaks
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, st.one_of(st.none(), st.integers(1, 50)),
                          st.one_of(st.none(), st.integers(1, 50))), min_size=1, max_size=5),
       st.integers(30, 200), st.booleans())
def test_hits_never_overflow_and_stay_compact(rows, width, explain):
    results = [_result(i, title or "x", text, lex, sem)
               for i, (title, text, lex, sem) in enumerate(rows, 1)]
    console = Console(width=width, no_color=True, soft_wrap=False)
    with console.capture() as cap:
        console.print(results_table(results, [re.compile("a")], explain))
    lines = cap.get().splitlines()
    assert all(len(line) <= width for line in lines)
    per_hit = 2 + (2 if width < 100 else 3) + explain + 1  # head, facts, snippet, blank
    assert len(lines) <= per_hit * len(results)


@pytest.mark.parametrize(("lex", "sem", "label"), [
    (1, None, "words #1"), (None, 3, "meaning #3"), (2, 5, "words #2, meaning #5"),
    (None, None, "filters"),
])
def test_found_by_says_which_arms_found_a_hit(lex, sem, label):
    assert found_by(_result(1, "t", "x", lex, sem)) == label


@pytest.mark.parametrize(("mode", "shown", "total", "line"), [
    ("lexical", 3, 10, "3 of 10 hits (lexical) · --all lists every one, -n N more"),
    ("lexical", 10, 10, "10 of 10 hits (lexical)"),
    ("hybrid", 10, 3, "10 hits (hybrid): 3 hold the words, the rest are near in meaning"),
    ("hybrid", 10, None, "10 hits (hybrid)"),
    ("filters", 1, 1, "1 of 1 sections match the filters (date order)"),
])
def test_every_result_list_says_how_many_of_how_many(mode, shown, total, line):
    from searcher.cli.render import totals_line
    from searcher.engine import Response

    results = tuple(_result(i, "t", "x", 1) for i in range(1, shown + 1))
    assert totals_line(Response(results, mode, total=total)) == line
