"""Tables spelled out for the encoder."""

from __future__ import annotations

from searcher.chunking.tables import render_row, render_tables

DRIFT = (
    "Verksamhet, tkr\tIntäkt utfall 2020\tKostnad utfall 2020\tNetto utfall 2020\n"
    "Politisk verksamhet\t0\t-2 641\t-2 641\n"
    "Avdelning vuxna\t31 256\t-278 161\t-246 905"
)


def test_rows_are_spelled_out_against_headers():
    text = render_tables("Driftredovisning\n" + DRIFT + "\nNämndens resultat visar …")
    assert text.splitlines() == [
        "Driftredovisning",
        "Verksamhet, tkr:",
        "Politisk verksamhet — Intäkt utfall 2020: 0; Kostnad utfall 2020: -2 641; "
        "Netto utfall 2020: -2 641",
        "Avdelning vuxna — Intäkt utfall 2020: 31 256; Kostnad utfall 2020: -278 161; "
        "Netto utfall 2020: -246 905",
        "Nämndens resultat visar …",
    ]


def test_single_tab_line_and_prose_are_left_alone():
    text = "Uppdrag\t\nKF\tVälfärdens finansiering ska tryggas.\nVanlig text."
    assert render_tables(text) == text
    assert render_tables("") == ""


def test_empty_cells_are_skipped_and_missing_headers_tolerated():
    assert render_row(["A", "B"], ["rad", "", "x"]) == "rad — x"
    assert render_row(["A"], ["rad"]) == "rad"
