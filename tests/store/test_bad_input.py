"""Bad input: every bad file is skipped with one line naming it and its reason, the rest of
the corpus is indexed, and the run says so (non-zero exit status, a summary)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from searcher.engine import open_index
from searcher.ingest import discover
from searcher.ingest.discover import shown
from searcher.progress import RecordingProgress
from searcher.store import reading
from searcher.store.build import build_index
from tests.bad_files import make_bad_files, make_odd_good_files
from tests.conftest import CORPUS, PROTOCOL, REPORT, ROOT
from tests.swedish_docs import write_corpus


def _seed_copy(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for f in CORPUS.iterdir():
        shutil.copyfile(f, folder / f.name)


def _sections(index_dir: Path, doc: str) -> list[tuple[str, str, str]]:
    with open_index(index_dir) as ix:
        return [(s.section_id, s.title, s.text) for s in ix.sections(doc)]


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory):
    """Seeds + ≥ 30 kinds of bad file + odd-but-good files, indexed once (library)."""
    root = tmp_path_factory.mktemp("bad")
    corpus = root / "corpus"
    _seed_copy(corpus)
    bad = make_bad_files(corpus)
    good = make_odd_good_files(corpus / "odd")
    progress = RecordingProgress()
    t0 = time.perf_counter()
    report = build_index([corpus], root / "index", semantic=False, progress=progress)
    return {"bad": bad, "good": good, "report": report, "progress": progress,
            "index": root / "index", "seconds": time.perf_counter() - t0}


def test_at_least_thirty_kinds_of_bad_file_are_each_skipped_once_with_their_reason(bad_corpus):
    bad, report = bad_corpus["bad"], bad_corpus["report"]
    assert len(bad) >= 30
    skipped = dict(report.skipped)
    assert len(skipped) == len(report.skipped), "a file was reported twice"
    assert set(skipped) == {shown(p) for p in bad}
    for path, fragment in bad.items():
        assert fragment.lower() in skipped[shown(path)].lower(), (path, skipped[shown(path)])


def test_each_skip_is_one_warning_line_naming_the_file(bad_corpus):
    warnings = bad_corpus["progress"].warnings
    assert all("\n" not in w for w in warnings)
    for path in bad_corpus["bad"]:
        assert sum(w.startswith(f"{shown(path)}: ") for w in warnings) == 1, path
    assert len(warnings) == len(bad_corpus["bad"])


def test_seeds_are_fully_indexed_beside_bad_files(bad_corpus, lexical_index_dir):
    report = bad_corpus["report"]
    assert {PROTOCOL, REPORT} <= set(report.indexed)
    for doc in (PROTOCOL, REPORT):
        assert _sections(bad_corpus["index"], doc) == _sections(lexical_index_dir, doc)
    with open_index(bad_corpus["index"]) as ix:
        assert all("Balans-22" in r.section.text
                   for r in ix.search("Balans-22", mode="lexical", limit=5))


def test_odd_but_readable_files_are_indexed_and_findable(bad_corpus):
    good = bad_corpus["good"]
    with open_index(bad_corpus["index"]) as ix:
        docs = {d["doc"] for d in ix.documents()}
        for path, token in good.items():
            hits = ix.search(token, mode="lexical", limit=3)
            assert hits, (path, token)
            assert hits[0].section.doc in docs
    assert "non_utf8_\ufffd_name.txt" in docs  # undecodable name bytes: a valid text name


def test_a_50_mb_single_line_file_costs_seconds_not_minutes(bad_corpus):
    assert bad_corpus["seconds"] < 30
    assert any("too much text" in r for _p, r in bad_corpus["report"].skipped)


def test_huge_single_line_file_in_a_subprocess_time_and_memory(tmp_path):
    """Measured alone: time and peak memory of skipping a 50 MB one-line file. The lexicon cache
    is built first, here, so that a fresh machine does not build it inside the measurement."""
    from searcher.analysis.lexicon import load_lexicon

    load_lexicon()
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "huge.txt").write_bytes(b"ord" * (17 * 1024 * 1024))
    code = (
        "import sys, time; from pathlib import Path\n"
        "from searcher.store.build import build_index\n"
        "from tests.conftest import peak_rss_kib\n"
        "t = time.perf_counter()\n"
        "r = build_index([Path(sys.argv[1])], Path(sys.argv[2]), semantic=False)\n"
        "print(time.perf_counter() - t, peak_rss_kib(), len(r.skipped))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, tmp_path / "c", tmp_path / "ix"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    seconds, peak_kib, skipped = out.stdout.split()
    assert int(skipped) == 1
    assert float(seconds) < 20
    assert int(peak_kib) < 1024 * 1024  # < 1 GiB


def test_a_crashing_or_hanging_reader_becomes_a_skip(tmp_path, monkeypatch):
    _seed_copy(tmp_path / "c")
    for name in ("crash.txt", "hang.txt", "chunker_crash.txt", "memory.txt"):
        (tmp_path / "c" / name).write_text(f"Kommunen beslutar om {name}.\n", encoding="utf-8")
    real_load, real_split = reading.load_document, reading.split_document

    def load(path, **kw):
        if path.name == "crash.txt":
            raise RuntimeError("boom\nsecond line")
        if path.name == "memory.txt":
            raise MemoryError
        if path.name == "hang.txt":
            while True:
                time.sleep(0.01)
        return real_load(path, **kw)

    def split(document):
        if document.doc == "chunker_crash.txt":
            raise IndexError("list index out of range")
        return real_split(document)

    monkeypatch.setattr(reading, "load_document", load)
    monkeypatch.setattr(reading, "split_document", split)
    # Long enough for the seeds on a loaded 2-core machine (the report took 0.7–1.0 s there).
    monkeypatch.setattr(reading, "READ_TIMEOUT_S", 4.0)
    report = build_index([tmp_path / "c"], tmp_path / "ix", semantic=False)
    reasons = {Path(p).name: r for p, r in report.skipped}
    assert reasons.keys() == {"crash.txt", "hang.txt", "chunker_crash.txt", "memory.txt"}
    assert reasons["crash.txt"].startswith("internal error while reading (RuntimeError: boom")
    assert "\n" not in reasons["crash.txt"]
    assert "IndexError" in reasons["chunker_crash.txt"]
    assert reasons["hang.txt"] == "reading and splitting took longer than 4 s"
    assert "out of memory" in reasons["memory.txt"]
    assert sorted(report.indexed) == [PROTOCOL, REPORT]


def test_files_over_the_size_limit_are_not_read(tmp_path, monkeypatch):
    write_corpus(tmp_path / "c", 1, seeds=False)
    (tmp_path / "c" / "big.txt").write_bytes(b"ord " * 5_000)
    monkeypatch.setattr(discover, "MAX_FILE_BYTES", 10_000)
    report = build_index([tmp_path / "c"], tmp_path / "ix", semantic=False)
    [(path, reason)] = report.skipped
    assert path.endswith("big.txt") and reason.startswith("file too large")


def test_paths_given_that_do_not_exist_or_are_broken_links(tmp_path):
    write_corpus(tmp_path / "c", 1, seeds=False)
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "link.txt")
    report = build_index([tmp_path / "c", tmp_path / "missing.txt", tmp_path / "link.txt"],
                         tmp_path / "ix", semantic=False)
    assert dict(report.skipped) == {
        str(tmp_path / "missing.txt"): "no such file or directory",
        str(tmp_path / "link.txt"): f"broken symbolic link (to {tmp_path / 'nowhere.txt'})",
    }


def _cli(*args: str | Path, env: dict | None = None,
         cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "searcher", *map(str, args)], capture_output=True, text=True,
        cwd=cwd, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300", **(env or {})},
        timeout=300,
    )


def test_cli_names_every_bad_file_once_exits_non_zero_and_summarises(tmp_path):
    corpus = tmp_path / "corpus"
    _seed_copy(corpus)
    bad = make_bad_files(corpus, huge=False)
    make_odd_good_files(corpus / "odd")
    result = _cli("index", corpus, "--index-dir", tmp_path / "ix", "--no-semantic")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for path in bad:
        assert sum(shown(path) + ":" in line for line in lines) == 1, (path, result.stderr)
    assert f"skipped {len(bad)} documents" in result.stderr
    assert "indexed 13," in result.stderr  # 2 seeds + 11 odd-but-good files
    search = _cli("search", "Brottsofferjouren", "--index-dir", tmp_path / "ix", "--mode",
                  "lexical", "--json", "--limit", "1")
    assert search.returncode == 0, search.stderr
    assert json.loads(search.stdout.splitlines()[0])["doc"] == PROTOCOL


def test_cli_prints_markup_like_file_names_as_written(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 1, seeds=False)
    (corpus / "[red]c.txt").write_bytes(b"")
    (corpus / "a[bold]b[link=x].txt").write_bytes(b"")
    result = _cli("index", corpus, "--index-dir", tmp_path / "ix", "--no-semantic")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{corpus / '[red]c.txt'}: empty file" in result.stderr
    assert f"{corpus / 'a[bold]b[link=x].txt'}: empty file" in result.stderr


NOBODY = 65534
#: Runs `searcher index` as `nobody`: the interpreter lives under /root (mode 700), so the
#: process starts as root, runs the same command once on a scratch corpus (every module it
#: needs is then imported), drops its privileges, and runs the real command.
AS_NOBODY = """
import os, sys
from pathlib import Path
from searcher.cli import app
scratch = Path(sys.argv[1])
(scratch / "c").mkdir()
(scratch / "c" / "a.txt").write_text("Kommunen beslutar.\\n", encoding="utf-8")
(scratch / "c" / "b.txt").write_bytes(b"")
try:
    app(["index", str(scratch / "c"), "--index-dir", str(scratch / "ix"), "--no-semantic"])
except SystemExit:
    pass
os.setgroups([])
os.setgid(%(uid)d)
os.setuid(%(uid)d)
app(sys.argv[2:])
"""


def test_unreadable_files_and_folders_are_skipped(tmp_path):
    """chmod 000 does not stop root, so as root the indexer drops to `nobody` first."""
    base = Path(tempfile.mkdtemp(prefix="searcher-perm-"))
    try:
        os.chmod(base, 0o777)
        corpus = base / "corpus"
        _seed_copy(corpus)
        (corpus / "secret.txt").write_text("Hemlig text om budgeten.\n", encoding="utf-8")
        (corpus / "locked").mkdir()
        (corpus / "locked" / "inside.txt").write_text("Text.\n", encoding="utf-8")
        for p in (corpus, *corpus.rglob("*")):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.chmod(corpus / "secret.txt", 0o000)
        os.chmod(corpus / "locked", 0o000)
        args = ["index", corpus, "--index-dir", base / "ix", "--no-semantic"]
        if os.geteuid() == 0:
            scratch = Path(tempfile.mkdtemp(prefix="searcher-warm-"))
            result = subprocess.run(
                [sys.executable, "-c", AS_NOBODY % {"uid": NOBODY}, scratch, *map(str, args)],
                capture_output=True, text=True, cwd=base, timeout=300,
                env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300", "HOME": str(base),
                     "PYTHONPATH": str(ROOT)},
            )
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            result = _cli(*args)
        assert result.returncode == 1, result.stderr
        assert f"{corpus / 'secret.txt'}: cannot read file (Permission denied)" in result.stderr
        assert f"{corpus / 'locked'}: cannot list folder (Permission denied)" in result.stderr
        assert "indexed 2," in result.stderr and "skipped 2 documents" in result.stderr
    finally:
        for p in (base, *base.rglob("*")):
            if not p.is_symlink():
                os.chmod(p, 0o755)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("data", [b"", b"\x00" * 100, "Ärende § 5\n\n\n".encode()])
def test_a_changed_file_that_turned_bad_keeps_its_indexed_version(tmp_path, data):
    corpus = tmp_path / "c"
    write_corpus(corpus, 1, seeds=False)
    (corpus / "note.txt").write_text("Kommunen beslutar om snöröjning.\n", encoding="utf-8")
    build_index([corpus], tmp_path / "ix", semantic=False)
    (corpus / "note.txt").write_bytes(data)
    report = build_index([corpus], tmp_path / "ix", semantic=False)
    if report.skipped:
        [(path, reason)] = report.skipped
        assert reason.endswith("the version indexed before is kept")
        with open_index(tmp_path / "ix") as ix:
            assert ix.search("snöröjning", mode="lexical", limit=1)
    else:  # readable after all: indexed anew
        assert report.indexed == ("note.txt",)

