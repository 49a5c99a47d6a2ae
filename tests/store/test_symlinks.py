"""Files and sidecars reached through a symbolic link that leaves the indexed folder are not
read (issue 19): a shared folder holding a link to /etc/passwd or to a secret elsewhere must
not put that file's text into the index; `--follow-symlinks` allows it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from searcher.cli import app
from searcher.engine import open_index
from searcher.ingest.discover import collect_files
from searcher.store.build import build_index

runner = CliRunner()
SECRET = "Hemligt lösenordsregister för kommunens servrar."


@pytest.fixture
def folder(tmp_path) -> Path:
    """corpus/ with a real document, a link out of it, a link within it, and a sidecar link
    out of it; the secrets live beside corpus/, not in it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (outside / "meta.json").write_text(json.dumps({"municipality": "Hemlighult"}),
                                       encoding="utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "protokoll.txt").write_text("Kommunen beslutar om simhallen.\n", encoding="utf-8")
    (corpus / "sub" / "inne.txt").write_text("Nämnden beslutar om biblioteket.\n",
                                             encoding="utf-8")
    (corpus / "lank.txt").symlink_to(outside / "secret.txt")
    (corpus / "relativ.txt").symlink_to(Path("..") / "outside" / "secret.txt")
    (corpus / "inom.txt").symlink_to(Path("sub") / "inne.txt")
    (corpus / "protokoll.txt.meta.json").symlink_to(outside / "meta.json")
    if Path("/etc/passwd").is_file():
        (corpus / "passwd.txt").symlink_to("/etc/passwd")
    return corpus


def test_links_out_of_the_folder_are_skipped_with_a_note(folder):
    files, skipped = collect_files([folder])
    names = {f.name for f in files}
    assert names == {"protokoll.txt", "inne.txt", "inom.txt"}
    reasons = {Path(s.path).name: s.reason for s in skipped}
    out = {"lank.txt", "relativ.txt", "protokoll.txt.meta.json"} | (
        {"passwd.txt"} if (folder / "passwd.txt").is_symlink() else set())
    assert set(reasons) == out
    for reason in reasons.values():
        assert "symbolic link leading out of the folder" in reason
        assert "--follow-symlinks" in reason and "\n" not in reason


def test_nothing_behind_an_outside_link_reaches_the_index(folder, tmp_path):
    ix = tmp_path / "ix"
    report = build_index([folder], ix, semantic=False)
    assert {Path(p).name for p, _ in report.skipped} >= {"lank.txt", "protokoll.txt.meta.json"}
    with open_index(ix) as x:
        assert x.search("lösenordsregister", mode="lexical") == []
        assert x.search("root", mode="lexical") == []
        metas = {d["doc"]: d.get("municipality") for d in x.documents()}
    assert metas["protokoll.txt"] != "Hemlighult"
    r = runner.invoke(app, ["index", str(folder), "--index-dir", str(tmp_path / "ix2"),
                            "--no-semantic"])
    assert r.exit_code == 1  # files were skipped, as for any skipped file
    assert "lank.txt" in r.stderr and "Traceback" not in r.stderr


def test_follow_symlinks_reads_them(folder, tmp_path):
    ix = tmp_path / "ix"
    report = build_index([folder], ix, semantic=False, follow_symlinks=True)
    assert not [p for p, _ in report.skipped if "symbolic link" in _]
    with open_index(ix) as x:
        assert x.search("lösenordsregister", mode="lexical")
        metas = {d["doc"]: d.get("municipality") for d in x.documents()}
    assert metas["protokoll.txt"] == "Hemlighult"
    r = runner.invoke(app, ["index", str(folder), "--index-dir", str(tmp_path / "ix2"),
                            "--no-semantic", "--follow-symlinks"])
    assert r.exit_code == 0, r.output


def test_a_file_named_on_the_command_line_is_read_even_as_a_link(folder, tmp_path):
    """A path the user names is their choice; only links found inside folders are judged."""
    files, skipped = collect_files([folder / "lank.txt"])
    assert [f.name for f in files] == ["lank.txt"] and not skipped


def test_a_link_into_a_linked_folder_counts_where_it_really_points(tmp_path):
    """The indexed folder itself may be reached through a link (a home folder on another
    disk): its own files are inside, however the folder is named."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text("Kommunen beslutar.\n", encoding="utf-8")
    (real / "b.txt").symlink_to(real / "a.txt")
    alias = tmp_path / "alias"
    os.symlink(real, alias)
    files, skipped = collect_files([alias])
    assert sorted(f.name for f in files) == ["a.txt", "b.txt"] and not skipped
