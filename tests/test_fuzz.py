"""Property tests: a query never gives a traceback (results or BadQueryError), and indexing
arbitrary bytes or text never crashes (indexed, or skipped with a reason)."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from searcher.engine import MAX_LIMIT
from searcher.errors import BadQueryError
from searcher.ingest.discover import SkipFile, SourceFile
from searcher.records import Result
from searcher.store.build import build_index
from searcher.store.reading import read_source

SYNTAX = list("()\"'*?:+-~^[]{}\\/!&|§.,;") + ["AND", "OR", "NOT", "TO", " ", "  "]
WORDS = ["Balans-22", "kommunen", "budget", "§ 259", "Dnr", "2022-00295", "beslut", "å", "ä",
         "ö", "dnr:", "typ:", "title:", "year:", "2020..2022", "KS 2023/145", "x" * 300]
QUERY_PARTS = st.sampled_from(SYNTAX + WORDS)
QUERIES = st.one_of(
    st.text(max_size=80),
    st.lists(QUERY_PARTS, max_size=12).map(" ".join),
    st.lists(QUERY_PARTS, max_size=12).map("".join),
)
FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(query=QUERIES, mode=st.sampled_from(["lexical", "hybrid"]),
       limit=st.one_of(st.integers(1, 20), st.integers(-5, MAX_LIMIT + 5)))
def test_any_query_gives_results_or_a_bad_query_error(lexical_index, query, mode, limit):
    try:
        results = lexical_index.search(query, mode=mode, limit=limit)
    except BadQueryError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert 1 <= limit <= MAX_LIMIT and len(results) <= limit
    assert all(isinstance(r, Result) for r in results)
    assert [r.rank for r in results] == list(range(1, len(results) + 1))


@FUZZ
@given(filters=st.dictionaries(st.sampled_from(["typ", "organ", "kommun", "year", "dnr",
                                                "colour", "doc"]),
                               st.one_of(st.none(), st.text(max_size=12),
                                         st.sampled_from(["2020..2022", "..2021", "2020..",
                                                          "20x0", "protokoll"])),
                               max_size=3))
def test_any_filters_give_results_or_a_bad_query_error(lexical_index, filters):
    try:
        lexical_index.search("kommunen", mode="lexical", limit=5, filters=filters)
    except BadQueryError as e:
        assert str(e)


LINES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["§ 12", "§§ 1-4", "Dnr 2022-00295", "Beslut", "Bakgrund", "1. Inledning",
                     "Ordförandes signatur\tJusterares signatur", "Kommunfullmäktige", "",
                     "\f", "| a | b |", "Sida 3 av 9", "Innehåll", "Inledning .......... 3",
                     "Protokoll 2023-01-01", "Tabell 1", "\t\t", "# Rubrik", "- punkt"]),
)
TEXTS = st.lists(LINES, max_size=40).map("\n".join)


def _read(tmp: Path, name: str, data: bytes) -> None:
    path = tmp / name
    path.write_bytes(data)
    src = SourceFile(path, str(path), name, bytes(path))
    try:
        loaded = read_source(src, {})
    except SkipFile as e:
        reason = str(e)
        assert reason and "\n" not in reason
        assert not reason.startswith("internal error"), (data[:200], reason)
        return
    assert loaded.sections
    ids = [s.section_id for s in loaded.sections]
    assert len(ids) == len(set(ids))


@FUZZ
@given(text=TEXTS, suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_reading_any_text_never_fails_inside_a_reader(text, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        _read(Path(tmp), f"doc{suffix}", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(data=st.binary(max_size=3000),
       suffix=st.sampled_from([".txt", ".md", ".html", ".pdf", ".docx"]))
def test_reading_any_bytes_never_fails_inside_a_reader(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        _read(Path(tmp), f"doc{suffix}", data)


@settings(max_examples=12, deadline=None)
@given(files=st.lists(st.tuples(st.text(string.ascii_letters + "åäö_ -", min_size=1,
                                        max_size=12),
                                st.one_of(TEXTS.map(str.encode), st.binary(max_size=500))),
                      min_size=1, max_size=6, unique_by=lambda f: f[0].lower()))
def test_indexing_any_files_never_crashes_and_both_indexes_agree(files):
    assume(all(name.strip(" -") for name, _ in files))
    from searcher.engine import open_index

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "c"
        corpus.mkdir()
        for name, data in files:
            (corpus / f"{name.strip()}.txt").write_bytes(data)
        report = build_index([corpus], Path(tmp) / "ix", semantic=False)
        assert len(report.indexed) + len(report.skipped) == len(files)
        assert not any(r.startswith("internal error") for _p, r in report.skipped), report.skipped
        with open_index(Path(tmp) / "ix") as ix:
            assert ix.lexical.doc_count() == ix.store.section_count() == report.sections
