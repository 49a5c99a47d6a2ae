"""The terminal as a researcher uses it (issue 18): grep's exit codes, filter-only queries,
totals, --all/-c/-l, facets and "did you mean", refused option pairs, Excel output, the index's
own model, and one interface language per run."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from typer.testing import CliRunner

from searcher.cli import app
from searcher.messages import MESSAGES, Lang, lang, t
from tests.conftest import CORPUS, PROTOCOL, REPORT

runner = CliRunner()


@pytest.fixture
def run(lexical_index_dir):
    def invoke(*args: str, env: dict | None = None):
        return runner.invoke(app, [*args, "--index-dir", str(lexical_index_dir)], env=env)

    return invoke


# -- exit codes ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "code"), [
    (["search", "Balans-22", "--mode", "lexical"], 0),
    (["search", "zzqxy", "--mode", "lexical"], 1),
    (["search", "dnr:2022-00295"], 0),
    (["search", "dnr:1999-99999"], 1),
    (["search", "Balans-22", "--mode", "lexical", "--year", "2021"], 1),
    (["search", "Balans-22", "--year", "2022..2020"], 2),
    (["search", "Balans-22", "--year", "igår"], 2),
    (["search", "Balans-22", "--json", "--count"], 2),
    (["search", "Balans-22", "--all", "--limit", "5"], 2),
    (["search", "Balans-22", "--kommun", "vaxjo"], 2),
    (["search", "x", "--mode", "fuzzy"], 2),
    (["search", "(Balans-22"], 2),
    (["similar", "000_5ef240bb4f3b8a0b/p260"], 0),
    (["mentions", "Balans-22"], 0),
    (["mentions", "zzqxy"], 1),
    (["mentions", "Balans-22", "--json", "--csv"], 2),
    (["mentions", "Balans-22", "--json"], 0),
    (["mentions", "zzqxy", "--csv"], 1),
    (["trend", "Balans-22"], 0),
    (["trend", "zzqxy"], 1),
    (["trend", "KPMG", "--json", "--csv"], 2),
    (["docs", "--type", "protokoll"], 0),
    (["docs", "--organ", "Kommunstyrelsen"], 1),
    (["values", "kommun"], 0),
    (["values", "color"], 2),
    (["show", "no/such"], 2),
    (["export", "Balans-22", "--mode", "lexical"], 0),
    (["export", "zzqxy", "--mode", "lexical"], 1),
    (["export", "Balans-22", "--excel", "--format", "jsonl"], 2),
])
def test_exit_codes_are_greps(run, args, code):
    r = run(*args)
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output


def test_index_errors_keep_their_higher_codes(tmp_path):
    r = runner.invoke(app, ["search", "x", "--index-dir", str(tmp_path / "none")])
    assert r.exit_code == 3


def test_help_documents_the_exit_codes():
    r = runner.invoke(app, ["--help"])
    assert "Exit status: 0 found, 1 nothing found, 2 usage or query error" in r.stdout
    r = runner.invoke(app, ["search", "--help"])
    assert "Exit status: 0 hits found, 1 none" in r.stdout


# -- filter-only queries, totals, --all, -c, -l ----------------------------------------------------
@pytest.mark.parametrize(("query", "paragraph"), [
    ("dnr:2022-00295", "259"), ("paragraf:259", "259"), ("paragraf:262", "262"),
    ("dnr:2022-00284 typ:protokoll", "260"),
])
def test_a_filter_only_query_returns_the_paragraph(run, query, paragraph):
    r = run("search", query, "--json")
    assert r.exit_code == 0, r.output
    hits = [json.loads(x) for x in r.stdout.splitlines()]
    assert [h["paragraph"] for h in hits] == [paragraph]
    assert hits[0]["mode"] == "filters" and hits[0]["doc"] == PROTOCOL
    r = run("search", query, "--no-color")
    assert f"§ {paragraph}" in r.stdout
    assert "1 of 1 sections match the filters (date order)" in r.stderr


def test_a_filter_only_listing_is_in_date_order_and_counted(run):
    r = run("search", "kommun:Växjö", "--json", "-n", "200")
    dates = [json.loads(x)["date"] for x in r.stdout.splitlines()]
    assert len(dates) == 97 and dates == sorted(dates)
    r = run("search", "kommun:Växjö", "-n", "5")
    assert "5 of 97 sections match the filters" in r.stderr


def test_totals_count_every_match_and_all_lists_them(run):
    r = run("search", "Balans-22", "--mode", "lexical", "-n", "3")
    assert "3 of 10 hits (lexical)" in r.stderr and "--all" in r.stderr
    r = run("search", "Balans-22", "--mode", "lexical", "--all", "--json")
    assert len(r.stdout.splitlines()) == 10
    r = run("search", "Balans-22", "--mode", "lexical", "-c")
    assert r.stdout == "10\n"
    r = run("search", "kommun:Växjö", "-c")
    assert r.stdout == "97\n"


def test_files_with_matches_lists_each_document_once(run):
    r = run("search", "Balans-22", "--mode", "lexical", "-l")
    assert r.stdout.splitlines() == [REPORT]
    r = run("search", "kommun:Växjö", "-l")
    assert sorted(r.stdout.splitlines()) == sorted([PROTOCOL, REPORT])


def test_export_all_has_no_cap_and_says_the_total(run, tmp_path):
    out = tmp_path / "all.csv"
    r = run("export", "kommun:Växjö", "--all", "--out", str(out))
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 97
    r = run("export", "kommun:Växjö", "--out", str(out))
    assert "10 of 97 sections" in r.stderr  # a cut-off is never silent


# -- ranges reach every command --------------------------------------------------------------------
@pytest.mark.parametrize(("year", "docs"), [
    ("2020-2022", {PROTOCOL, REPORT}), ("2019–2020", {REPORT}), ("2021-", {PROTOCOL}),
    ("-2020", {REPORT}), ("2022-08-16..2022-12-31", {PROTOCOL}),
    ("2022-08-17..2022-12-31", set()), ("2022-01..2022-07", set()),
])
def test_year_ranges_in_search_and_mentions(run, year, docs):
    r = run("search", "kommun", "--mode", "lexical", "--year", year, "--all", "--json")
    assert {json.loads(x)["doc"] for x in r.stdout.splitlines()} == docs
    r = run("search", f'kommun datum:"{year}"', "--mode", "lexical", "--all", "--json")
    assert {json.loads(x)["doc"] for x in r.stdout.splitlines()} == docs
    r = run("mentions", "Växjö", "--year", year, "--json")
    assert {json.loads(x)["doc"] for x in r.stdout.splitlines()} == docs
    assert r.exit_code == (0 if docs else 1)


# -- facets ----------------------------------------------------------------------------------------
def test_values_lists_the_facets_with_counts(run):
    r = run("values", "type", "--json")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert {(x["value"], x["documents"], x["sections"]) for x in rows} == {
        ("protokoll", 1, 9), ("rapport", 1, 88)}
    r = run("values", "year", "--json")
    assert [json.loads(x)["value"] for x in r.stdout.splitlines()] == ["2020", "2022"]
    r = run("values", "kommun", "--no-color")
    assert "Växjö" in r.stdout and "97" in r.stdout


@pytest.mark.parametrize(("args", "suggestion"), [
    (["--kommun", "vaxjo"], "'Växjö'"), (["--type", "protokol"], "'protokoll'"),
    (["--type", "yttrand"], "'yttrande'"), (["--organ", "kommunstyrelsens arbetsutskot"],
                                            "'Kommunstyrelsens arbetsutskott'"),
])
def test_unknown_filter_values_suggest_the_known_ones(run, args, suggestion):
    r = run("search", "Balans-22", *args)
    assert r.exit_code == 2
    assert "did you mean" in r.stderr and suggestion in r.stderr
    assert "searcher values" in r.stderr


def test_unknown_values_in_the_query_are_checked_too(run):
    r = run("search", "Balans-22 typ:protokol")
    assert r.exit_code == 2 and "'protokoll'" in r.stderr
    r = run("search", "Balans-22 typ:foo")
    assert r.exit_code == 2 and "no type 'foo'" in r.stderr


# -- output options --------------------------------------------------------------------------------
def test_excel_csv_has_a_bom_and_semicolons(run, tmp_path):
    out = tmp_path / "hits.csv"
    r = run("export", "Balans-22", "--mode", "lexical", "--excel", "--out", str(out))
    assert r.exit_code == 0, r.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["rank", "score", "mode"] and len(rows) == 11


def test_xlsx_export_reads_back(run, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "hits.xlsx"
    r = run("export", "Balans-22", "--mode", "lexical", "-n", "3", "--out", str(out))
    assert r.exit_code == 0, r.output
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("rank", "score", "mode") and len(rows) == 4
    text = rows[0].index("text")
    assert all("Balans-22" in row[text] for row in rows[1:])


def test_xlsx_needs_a_file(run):
    r = run("export", "Balans-22", "--format", "xlsx")
    assert r.exit_code == 2 and "--out" in r.output


def test_a_missing_corpus_folder_is_an_error(tmp_path):
    r = runner.invoke(app, ["index", str(tmp_path / "nope"), "--no-semantic", "--index-dir",
                            str(tmp_path / "ix")])
    assert r.exit_code == 2 and "nope" in r.output
    assert not (tmp_path / "ix").exists()


def test_index_keeps_the_model_the_index_was_built_with(tmp_path, monkeypatch):
    import searcher.store.build as build

    seen = []

    def fake_build(paths, index_dir, **options):
        seen.append(options["model"])
        raise SystemExit(0)

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / PROTOCOL).write_bytes((CORPUS / PROTOCOL).read_bytes())
    ix = tmp_path / "ix"
    assert runner.invoke(app, ["index", str(corpus), "--no-semantic", "--index-dir",
                               str(ix)]).exit_code == 0
    manifest_path = next(ix.glob("gen-*/manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    manifest["semantic"] = {"model": "my/own-model", "dim": 8, "sections": 1}
    manifest_path.write_text(json.dumps(manifest))
    monkeypatch.setattr(build, "build_index", fake_build)
    r = runner.invoke(app, ["index", str(corpus), "--index-dir", str(ix)])
    assert seen == ["my/own-model"] and "keeping the index's model 'my/own-model'" in r.stderr
    runner.invoke(app, ["index", str(corpus), "--index-dir", str(ix), "--model", "other"])
    assert seen[-1] == "other"


def test_an_unloadable_model_still_answers_lexically_with_a_note(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / PROTOCOL).write_bytes((CORPUS / PROTOCOL).read_bytes())
    ix = tmp_path / "ix"
    runner.invoke(app, ["index", str(corpus), "--no-semantic", "--index-dir", str(ix)])
    manifest_path = next(ix.glob("gen-*/manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    manifest["semantic"] = {"model": str(tmp_path / "gone-model"), "dim": 8, "sections": 9}
    manifest_path.write_text(json.dumps(manifest))
    r = runner.invoke(app, ["search", "KPMG", "--index-dir", str(ix)])
    assert r.exit_code == 0, r.output
    assert "gone-model" in r.stderr and "searching lexically" in r.stderr
    assert PROTOCOL in r.stdout
    r = runner.invoke(app, ["search", "KPMG", "--mode", "semantic", "--index-dir", str(ix)])
    assert r.exit_code == 6 and "gone-model" in r.stderr and len(r.stderr.splitlines()) == 1


# -- one language per run --------------------------------------------------------------------------
_FIELDS = re.compile(r"\{[^}]*\}")


def _words(i: int) -> set[str]:
    return {w.lower() for en_sv in MESSAGES.values()
            for w in re.findall(r"[^\W\d_]{3,}", _FIELDS.sub(" ", en_sv[i]))}


EN_ONLY = _words(0) - _words(1)
SV_ONLY = _words(1) - _words(0)

COMMANDS = [
    ["search", "Balans-22", "--mode", "lexical", "-n", "3", "--explain"],
    ["search", "dnr:2022-00295"],
    ["show", "000_5ef240bb4f3b8a0b/p259"],
    ["sections", PROTOCOL],
    ["mentions", "KPMG", "--forms", "inflected"],
    ["trend", "Balans-22", "KPMG"],
    ["docs"],
    ["stats", "--organ", "Kommunstyrelsens arbetsutskott", "--top", "5"],
    ["values", "organ"],
    ["case", "Dnr 2022-00295"],
]


def _corpus_words() -> set[str]:
    """Every word of the seed documents: what stdout may hold whatever the language."""
    return {w.lower() for path in CORPUS.iterdir() if path.is_file()
            for w in _WORD.findall(path.read_text(encoding="utf-8", errors="replace"))}


_WORD = re.compile(r"[^\W\d_]{3,}")


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_one_interface_language_per_run(run, args):
    """Run each command in English and in Swedish. Its stdout may hold the documents' own
    words and its interface's: a word that only the other language's messages use (and the
    documents never do) is a leak. Each run must show some word of its own language's
    messages, so the check cannot pass on a screen that says nothing."""
    data = _corpus_words()
    foreign = {"en": SV_ONLY - data, "sv": EN_ONLY - data}
    own = {"en": EN_ONLY, "sv": SV_ONLY}
    stdout = {}
    for code in ("en", "sv"):
        r = run(*args, "--no-color", env={"SEARCHER_LANG": code, "COLUMNS": "120"})
        assert r.exit_code == 0, r.output
        words = {w.lower() for w in _WORD.findall(r.stdout)}
        assert not words & foreign[code], f"{code} stdout has {sorted(words & foreign[code])}"
        assert words & own[code], f"no {code} interface word in: {r.stdout[:300]!r}"
        stdout[code] = r.stdout
    assert stdout["en"] != stdout["sv"]


@pytest.mark.parametrize(("env", "expected"), [
    ({"SEARCHER_LANG": "sv"}, Lang.sv), ({"SEARCHER_LANG": "en"}, Lang.en),
    ({"SEARCHER_LANG": "sv_SE.UTF-8"}, Lang.sv), ({"LANG": "sv_SE.UTF-8"}, Lang.sv),
    ({"LC_ALL": "sv_FI.UTF-8", "LANG": "en_US.UTF-8"}, Lang.sv),
    ({"LANG": "en_GB.UTF-8"}, Lang.en), ({"LANG": "C.UTF-8"}, Lang.en), ({}, Lang.en),
])
def test_the_language_comes_from_searcher_lang_or_the_locale(monkeypatch, env, expected):
    for key in ("SEARCHER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert lang() is expected


@pytest.mark.parametrize("code", ["en", "sv"])
def test_every_message_renders_in_both_languages(monkeypatch, code):
    monkeypatch.setenv("SEARCHER_LANG", code)
    for key, (en, sv) in MESSAGES.items():
        names = set(re.findall(r"\{(\w+)", en))
        assert names == set(re.findall(r"\{(\w+)", sv)), key  # the same fields in both
        text = t(key, **dict.fromkeys(names, 1)) if names else t(key)
        assert text == (sv if code == "sv" else en).format(**dict.fromkeys(names, 1))
