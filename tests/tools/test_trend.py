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
    r = _invoke("trend", "Balans-22", "KPMG", "--no-color", "--index-dir", str(lexical_index_dir))
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
    assert r.exit_code == 1 and "cannot write" in r.output
