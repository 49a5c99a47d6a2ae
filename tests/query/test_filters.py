"""Date and year ranges as researchers write them: every form, and the errors that name it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.errors import BadQueryError
from searcher.query.filters import parse_date_range, parse_filters
from searcher.query.parse import parse_query

RANGES = [
    ("2020", ("2020-01-01", "2020-12-31")),
    ("2019-2020", ("2019-01-01", "2020-12-31")),
    ("2017-2023", ("2017-01-01", "2023-12-31")),
    ("2019–2020", ("2019-01-01", "2020-12-31")),  # en dash
    ("2019—2020", ("2019-01-01", "2020-12-31")),  # em dash
    ("2019..2020", ("2019-01-01", "2020-12-31")),
    ("2019 - 2020", ("2019-01-01", "2020-12-31")),
    ("2019-", ("2019-01-01", None)),
    ("2019..", ("2019-01-01", None)),
    ("-2020", (None, "2020-12-31")),
    ("..2020", (None, "2020-12-31")),
    ("–2020", (None, "2020-12-31")),
    ("2022-08", ("2022-08-01", "2022-08-31")),
    ("2024-02", ("2024-02-01", "2024-02-29")),
    ("2022-08-16", ("2022-08-16", "2022-08-16")),
    ("2022-08-16..2022-12-31", ("2022-08-16", "2022-12-31")),
    ("2022-08-16-2022-12-31", ("2022-08-16", "2022-12-31")),
    ("2022-08-16–2022-12-31", ("2022-08-16", "2022-12-31")),
    ("2022-08..2023", ("2022-08-01", "2023-12-31")),
    ("2020-2020", ("2020-01-01", "2020-12-31")),
]


@pytest.mark.parametrize(("text", "expected"), RANGES)
def test_every_range_form(text, expected):
    assert parse_date_range(text) == expected


@pytest.mark.parametrize(("text", "expected"), RANGES)
def test_ranges_work_in_queries_and_filters(text, expected):
    value = f'"{text}"' if " " in text else text  # a spaced range is quoted in a query
    parsed = parse_query(f"yttrande datum:{value}")
    flt = parse_filters(parsed.filters)
    assert (flt.date_from, flt.date_to) == expected
    assert flt.year_from == (int(expected[0][:4]) if expected[0] else None)
    assert flt.year_to == (int(expected[1][:4]) if expected[1] else None)
    assert parse_filters({"year": text}) == flt  # --year and datum:/år: read the same


@pytest.mark.parametrize(("text", "message"), [
    ("2022..2020", "ends before it starts"),
    ("2020-12-31..2020-01-01", "ends before it starts"),
    ("igår", "cannot read"),
    ("19-20", "cannot read"),
    ("2019/2020", "cannot read"),
    ("..", "cannot read"),
    ("-", "cannot read"),
    ("2019-2020-2021", "cannot read"),
    ("2022-13", "not a real date"),
    ("2022-02-30", "not a real date"),
    ("20199", "cannot read"),
])
def test_unreadable_and_reversed_ranges_are_errors_naming_them(text, message):
    with pytest.raises(BadQueryError, match=message) as e:
        parse_date_range(text)
    assert repr(text) in str(e.value)
    with pytest.raises(BadQueryError, match="not a year or range"):
        parse_query(f"yttrande datum:{text}")


@pytest.mark.parametrize(("when", "admitted"), [
    ("2022-08-16", True), ("2022-12-31", True), ("2022-08-15", False), ("2023-01-01", False),
    ("2022-08", True),  # a month overlapping the range
    ("2022-07", False), ("2022", True), ("2021", False), (None, False), ("okänt", False),
])
def test_day_precise_ranges_admit_dates(when, admitted):
    flt = parse_filters({"datum": "2022-08-16..2022-12-31"})
    assert flt.is_day_precise()
    assert flt.admits_date(when) is admitted


def test_whole_years_are_not_day_precise():
    assert not parse_filters({"year": "2019-2020"}).is_day_precise()
    assert not parse_filters({"year": "2019-"}).is_day_precise()
    assert parse_filters({"year": "2019-"}).admits_date("2031-05-02")


@given(st.integers(1900, 2100), st.integers(1900, 2100), st.sampled_from(["-", "–", "..", "—"]))
def test_any_year_pair_is_a_range_or_a_reversal_error(a, b, sep):
    text = f"{a}{sep}{b}"
    if a <= b:
        assert parse_date_range(text) == (f"{a}-01-01", f"{b}-12-31")
    else:
        with pytest.raises(BadQueryError, match="ends before"):
            parse_date_range(text)
