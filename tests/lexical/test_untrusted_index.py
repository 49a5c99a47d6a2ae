"""No code from an index (issue 19): whoosh's pickles (TOC schema and segment list, posting
blocks) are read through an allow-list, so a crafted index runs nothing and says why."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner
from whoosh import index as whoosh_index
from whoosh.fields import Schema

from searcher.cli import app
from searcher.engine import open_index
from searcher.errors import IndexNotBuiltError
from searcher.lexical.whoosh_internals import ForbiddenObject, restricted_loads
from searcher.store import layout
from tests.conftest import ROOT

runner = CliRunner()
MESSAGE = "contains objects searcher does not load"


def _payloads(marker: Path) -> dict[str, tuple]:
    """(callable, args) pairs a hostile pickle could REDUCE: each would create `marker`."""
    return {
        "os.system": (os.system, (f"touch {marker}",)),
        "subprocess.call": (subprocess.call, (["touch", str(marker)],)),
        "builtins.exec": (exec, (f"open({str(marker)!r}, 'w').close()",)),
        "builtins.open": (open, (str(marker), "w")),
        "a whoosh function that writes": (whoosh_index.create_in, (str(marker), Schema())),
        "a searcher function that writes": (layout.atomic_write_text, (marker, "x")),
    }


class _Evil:
    def __init__(self, call: tuple):
        self.call = call

    def __reduce__(self):
        return self.call


class _EvilSchema(Schema):
    """A real Schema (whoosh checks the type before writing) that pickles as a payload."""

    def __init__(self, call: tuple):
        super().__init__()
        self.call = call

    def __reduce__(self):
        return self.call


def _resign(generation: Path) -> None:
    """Rewrite the manifest's file list as a forger would (sizes and checksums of the crafted
    files), so only the unpickling stands between the index and the code."""
    manifest = layout.read_manifest(generation)
    manifest["files"] = layout.file_records(generation)
    (generation / layout.MANIFEST).write_text(__import__("json").dumps(manifest))


@pytest.fixture
def crafted(lexical_index_dir, tmp_path):
    """A copy of the seed index and a function that plants a payload in its TOC."""
    ix = tmp_path / "ix"
    shutil.copytree(lexical_index_dir, ix)
    gen, _ = layout.require_current(ix)
    lexical = gen / "lexical"

    def plant(call: tuple, where: str) -> None:
        real = whoosh_index.open_dir(str(lexical))
        toc = whoosh_index.TOC.read(real.storage, real.indexname, real.latest_generation())
        schema, segments = toc.schema, toc.segments
        if where == "schema":
            schema = _EvilSchema(call)
        else:
            segments = [_Evil(call)]
        real.close()
        toc_file = next(lexical.glob("_MAIN_*.toc"))
        toc_file.unlink()
        whoosh_index.TOC(schema, segments, toc.generation).write(real.storage, real.indexname)
        assert toc_file.is_file()
        _resign(gen)

    return ix, plant


@pytest.mark.parametrize("where", ["schema", "segments"])
@pytest.mark.parametrize("payload", list(_payloads(Path("x"))))
def test_a_crafted_toc_runs_nothing_and_says_why(crafted, tmp_path, payload, where):
    ix, plant = crafted
    marker = tmp_path / "pwned"
    plant(_payloads(marker)[payload], where)
    with pytest.raises(IndexNotBuiltError, match=MESSAGE):
        open_index(ix)
    r = runner.invoke(app, ["search", "kommunen", "--index-dir", str(ix), "--mode", "lexical"])
    assert r.exit_code == IndexNotBuiltError.exit_code, r.output
    assert MESSAGE in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not marker.exists()


def test_a_crafted_index_runs_nothing_in_a_fresh_process(crafted, tmp_path):
    """The real entry point, `python -m searcher docs`, as a user would run it."""
    ix, plant = crafted
    marker = tmp_path / "pwned"
    plant(_payloads(marker)["os.system"], "schema")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    for command in (["docs"], ["search", "kommunen", "--mode", "lexical"]):
        proc = subprocess.run([sys.executable, "-m", "searcher", *command, "--index-dir",
                               str(ix)], env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == IndexNotBuiltError.exit_code, proc.stderr
        assert MESSAGE in proc.stderr
    assert not marker.exists()


def test_updating_a_crafted_index_runs_nothing(crafted, tmp_path):
    from searcher.store.build import build_index

    ix, plant = crafted
    marker = tmp_path / "pwned"
    plant(_payloads(marker)["os.system"], "schema")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ny.txt").write_text("Kommunen beslutar om en ny text.\n", encoding="utf-8")
    with pytest.raises(IndexNotBuiltError, match=MESSAGE):
        build_index([corpus], ix, semantic=False)
    assert not marker.exists()


@pytest.mark.parametrize("payload", list(_payloads(Path("x"))))
def test_posting_blocks_are_unpickled_through_the_allow_list(tmp_path, payload):
    marker = tmp_path / "pwned"
    data = pickle.dumps(_Evil(_payloads(marker)[payload]), protocol=2)
    with pytest.raises(ForbiddenObject):
        restricted_loads(data)
    assert not marker.exists()


@pytest.mark.parametrize("value", [
    (1, 2.5, "sv", b"\x00", None, True), {"a": [1, 2]}, frozenset({"x"}), 2**70,
    (__import__("array").array("I", [1, 2, 3]), [0.5, 1.0]),
])
def test_plain_values_still_unpickle(value):
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        assert restricted_loads(pickle.dumps(value, protocol=protocol)) == value


def test_the_allow_list_refuses_functions_even_from_allowed_modules():
    import whoosh.analysis.analyzers as analyzers

    for module, name in [("whoosh.analysis.analyzers", "StemmingAnalyzer"),  # a function
                         ("whoosh.fields", "_private"), ("whoosh.fields", "Schema.__reduce__"),
                         ("searcher.analysis.lexicon", "load_lexicon")]:
        data = b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\nq\x00."
        with pytest.raises(ForbiddenObject):
            restricted_loads(data)
    assert callable(analyzers.StemmingAnalyzer)


def test_a_forbidden_object_met_while_searching_is_one_clear_error(lexical_index_dir,
                                                                   monkeypatch):
    """A posting block naming code (a forged index whose TOC is clean) fails the search with
    the same one-line reason, never a traceback and never the code."""
    import searcher.lexical.whoosh_internals as internals

    def forbidden(*_a, **_k):
        raise ForbiddenObject("posix.system")

    with open_index(lexical_index_dir) as ix:
        monkeypatch.setattr(internals, "restricted_loads", forbidden)
        monkeypatch.setattr(internals, "_Restricted", lambda f: type(
            "R", (), {"load": staticmethod(forbidden)})())
        with pytest.raises(IndexNotBuiltError, match=MESSAGE):
            ix.search("kommunen beslutar", mode="lexical")
