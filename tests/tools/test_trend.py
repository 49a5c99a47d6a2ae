"""Trend: per-period counts equal the mentions' own, the chart, --json/--csv and the PNG."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from searcher.cli.mentions_cmds import register
from searcher.errors import BadQueryError
from searcher.tools.mentions import find_mentions, totals
from searcher.tools.trend import UNDATED, Period, period_of, trend

TERMS = [("Balans-22", "exact"), ("yttrande", "inflected"), ("KPMG", "inflected"),
         ("Dnr 2022-00295", "exact")]


@pytest.mark.parametrize(("term", "forms"), TERMS)
def test_trend_per_year_equals_mentions_per_year(lexical_index, term, forms):
    t = trend(lexical_index, [term], forms=forms)
    by_year = dict(totals(find_mentions(lexical_index, term, forms=forms)).by_year)
    assert {int(p): n for p, n in zip(t.periods, t.counts[0], strict=True) if n} == by_year


def test_several_terms_fill_the_years_between(lexical_index):
    t = trend(lexical_index, ["Balans-22", "KPMG"], forms="inflected")
    assert t.periods == ("2020", "2021", "2022")
    assert t.counts == ((15, 0, 0), (0, 0, 6))
    assert list(t.rows())[0] == {"period": "2020", "term": "Balans-22", "count": 15}


def test_by_month_where_the_date_has_one(lexical_index):
    t = trend(lexical_index, ["yttrande"], by="month", forms="inflected")
    assert t.periods == ("2020", "2022-08")  # the annual report is dated by year only
    assert t.counts == ((2, 10),)


@pytest.mark.parametrize(
    ("date", "by", "expected"),
    [("2022-08-16", Period.year, "2022"), ("2022-08-16", Period.month, "2022-08"),
     ("2020", Period.month, "2020"), (None, Period.year, UNDATED), ("okänt", Period.year, UNDATED)],
)
def test_period_of(date, by, expected):
    assert period_of(date, by) == expected


def test_bad_period_and_no_terms(lexical_index):
    with pytest.raises(BadQueryError, match="choose from year, month"):
        trend(lexical_index, ["x"], by="week")
    with pytest.raises(BadQueryError, match="at least one term"):
        trend(lexical_index, [])


# -- the command ---------------------------------------------------------------------------

def _invoke(*args: str):
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test app."""

    register(app)
    return CliRunner().invoke(app, list(args))


def test_trend_json_gives_the_mentions_counts(lexical_index_dir):
    r = _invoke("trend", "Balans-22", "--json", "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 0, r.output
    assert [json.loads(x) for x in r.stdout.splitlines()] == [
        {"period": "2020", "term": "Balans-22", "count": 15}
    ]


def test_trend_csv_is_wide(lexical_index_dir):
    r = _invoke("trend", "Balans-22", "KPMG", "--csv", "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 0, r.output
    # the default counts KPMGs too (issue 16: what a reader counts)
    assert r.stdout.splitlines() == ["period,Balans-22,KPMG", "2020,15,0", "2021,0,0", "2022,0,6"]


def test_trend_chart_draws_bars_side_by_side(lexical_index_dir):
    r = _invoke("trend", "Balans-22", "KPMG", "--no-color", "--per", "raw",
                "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    balans = next(x for x in lines if "Balans-22" in x and "15" in x)
    kpmg = next(x for x in lines if "KPMG" in x and x.rstrip().endswith("6"))  # + KPMGs
    assert balans.count("█") == 40 and 0 < kpmg.count("█") < 40  # scaled to the longest bar


def test_trend_png_has_bars(lexical_index_dir, tmp_path):
    pytest.importorskip("matplotlib")
    image = pytest.importorskip("PIL.Image")
    out = tmp_path / "trend.png"
    r = _invoke("trend", "Balans-22", "KPMG", "--png", str(out), "--json",
                "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with image.open(out) as img:
        rgb = img.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
    by_colour = {c: n for n, c in colours}
    # matplotlib's first two cycle colours (tab:blue, tab:orange) fill the two terms' bars
    assert by_colour.get((31, 119, 180), 0) > 2000 and by_colour.get((255, 127, 14), 0) > 500


def test_trend_png_unwritable(lexical_index_dir, tmp_path):
    pytest.importorskip("matplotlib")
    r = _invoke("trend", "KPMG", "--png", str(tmp_path / "no" / "dir" / "x.png"),
                "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 2 and "cannot write" in r.output  # an error, not "none found"


# -- relative counts, empty runs, the PNG's size and language (issue 18) ---------------------------
from searcher.cli.mentions_cmds import _runs, bar_chart  # noqa: E402
from searcher.tools.trend import (  # noqa: E402
    PNG_MAX_INCHES,
    PNG_MAX_TICKS,
    PNG_MIN_INCHES,
    Per,
    Trend,
    chart_title,
    period_sizes,
    png_inches,
    save_png,
    tick_positions,
)


def test_per_sections_and_words_divide_by_the_periods_text(lexical_index):
    sections, words = period_sizes(lexical_index, None, Period.year)
    assert sections == {"2020": 88, "2022": 9}  # the report and the protocol
    assert words["2020"] > words["2022"] > 0
    t = trend(lexical_index, ["Balans-22", "KPMG"], forms="inflected", per=Per.sections)
    assert t.per == "sections" and t.sizes == (88, 0, 9)
    assert t.value(0, 0) == pytest.approx(15 * 100 / 88)
    assert t.value(0, 1) is None  # 2021: no text at all, not zero mentions per text
    assert t.value(1, 2) == pytest.approx(6 * 100 / 9)
    w = trend(lexical_index, ["KPMG"], forms="inflected", per=Per.words)
    assert w.periods == ("2022",) and w.counts == ((6,),)  # the raw counts stay
    assert w.value(0, 0) == pytest.approx(6 * 10_000 / words["2022"])


def test_auto_is_relative_only_when_periods_differ_in_size(lexical_index):
    t = trend(lexical_index, ["Balans-22", "KPMG"], forms="inflected", per=Per.auto)
    assert t.per == "words"  # 2020 holds ~10× the words of 2022
    one = trend(lexical_index, ["KPMG"], forms="inflected", per=Per.auto)
    assert one.per == "raw"  # one period: nothing to compare
    same = trend(lexical_index, ["Balans-22", "KPMG"], forms="inflected", per=Per.raw)
    assert same.per == "raw" and same.sizes == ()


def test_relative_rows_add_per_size_and_value(lexical_index):
    t = trend(lexical_index, ["KPMG"], forms="inflected", per=Per.sections)
    rows = list(t.rows())
    assert rows[-1] == {"period": "2022", "term": "KPMG", "count": 6, "per": "sections",
                        "size": 9, "value": round(600 / 9, 3)}


def test_day_ranges_count_only_those_days(lexical_index):
    t = trend(lexical_index, ["yttrande"], by="month", forms="inflected",
              filters={"datum": "2022-08-16..2022-08-31"})
    assert t.periods == ("2022-08",) and t.counts == ((10,),)
    with pytest.raises(BadQueryError):
        trend(lexical_index, ["x"], per="often")


def _synthetic(periods: int, terms: int = 1, zeros: tuple[int, ...] = ()) -> Trend:
    counts = tuple(tuple(0 if j in zeros else j + 1 for j in range(periods))
                   for _ in range(terms))
    return Trend(tuple(f"t{i}" for i in range(terms)),
                 tuple(str(1987 + j) for j in range(periods)), counts, "year", "exact")


@pytest.mark.parametrize(("periods", "terms"), [(1, 1), (3, 2), (10, 1), (39, 1), (39, 3)])
def test_the_png_is_as_wide_as_its_periods_need(periods, terms):
    t = _synthetic(periods, terms)
    inches = png_inches(t)
    assert PNG_MIN_INCHES <= inches <= PNG_MAX_INCHES
    assert png_inches(_synthetic(periods + 5, terms)) >= inches  # more periods, never narrower
    ticks = tick_positions(periods)
    assert len(ticks) <= PNG_MAX_TICKS and ticks[0] == 0
    assert ticks == list(range(periods)) or periods > PNG_MAX_TICKS


def test_a_long_span_png_stays_readable(tmp_path):
    image = pytest.importorskip("PIL.Image")
    pytest.importorskip("matplotlib")
    out = save_png(_synthetic(39), tmp_path / "long.png")  # 1987–2025
    with image.open(out) as img:
        width, height = img.size
    assert width <= PNG_MAX_INCHES * 120 + 1 and width / height < 4  # not an 8448×480 strip


@pytest.mark.parametrize(("code", "title"), [
    ("en", "Mentions per year (exact)"), ("sv", "Omnämnanden per år (exact)")])
def test_the_title_speaks_the_interface_language(monkeypatch, code, title):
    monkeypatch.setenv("SEARCHER_LANG", code)
    assert chart_title(_synthetic(3)) == title
    relative = Trend(("a",), ("2020",), ((1,),), "year", "exact", "words", (100,))
    assert chart_title(relative).startswith(title[:-1])


def test_empty_runs_of_periods_are_one_line():
    t = _synthetic(10, zeros=(1, 2, 3, 4, 7))
    assert _runs(t) == [(0, 0), (1, 4), (5, 5), (6, 6), (7, 7), (8, 8), (9, 9)]
    from rich.console import Console

    console = Console(width=100, no_color=True)
    with console.capture() as cap:
        console.print(bar_chart(t))
    lines = cap.get().splitlines()
    assert any(line.startswith("1988–1991") and line.rstrip().endswith("0") for line in lines)
    assert len(lines) == 7


def test_trend_terminal_chart_is_relative_by_default(lexical_index_dir):
    r = _invoke("trend", "Balans-22", "KPMG", "--no-color", "--index-dir", str(lexical_index_dir))
    assert r.exit_code == 0, r.output
    assert "mentions per 10,000 words" in r.stdout and "counts are relative" in r.stderr
    r = _invoke("trend", "KPMG", "Balans-22", "--csv", "--per", "sections", "--index-dir",
                str(lexical_index_dir))
    assert r.stdout.splitlines()[0] == "period,KPMG,Balans-22,KPMG (sections),Balans-22 (sections)"
