"""Crash safety and concurrency with real `searcher index` processes.

* SIGKILL at random moments and at named points of publication and garbage collection: the
  index then opens and answers (the old state or the new, never a mix), and a re-run gives
  exactly what a clean build gives, with no leftovers.
* Ctrl-C leaves the previous index and no leftovers.
* A second writer is refused with the first writer's pid; a dead writer's lock is free.
* Readers keep answering while a writer publishes generation after generation.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searcher.engine import open_index
from searcher.store import layout
from searcher.store.build import build_index
from tests.conftest import ROOT
from tests.swedish_docs import write_corpus

QUERIES = ["dokument3", "detaljplan Lärkan", "Balans-22", "Brottsofferjouren", "simhallen",
           "dokument27 vindkraft"]
FAILPOINTS = ["after-lexical", "before-manifest", "before-current", "after-current",
              "mid-collect"]


def _index_cmd(corpus: Path, index_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "searcher", "index", str(corpus), "--index-dir",
            str(index_dir), "--no-semantic", *extra]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "300", "PYTHONPATH": str(ROOT), **extra}


def _snapshot(index_dir: Path) -> dict:
    """Documents, sections and the lexical hits for QUERIES; lexical and store must agree."""
    with open_index(index_dir) as ix:
        sections = {s.section_id: (s.doc, s.ordinal, s.title, s.text)
                    for s in ix.store.iter_sections()}
        assert ix.lexical.doc_count() == len(sections), "lexical and store disagree"
        # Ranked ids, not scores: whoosh counts deleted documents in its BM25 statistics until
        # their segment is merged, so scores after an update differ slightly from a clean build.
        hits = {q: [r.section.section_id for r in ix.search(q, mode="lexical", limit=10)]
                for q in QUERIES}
        return {"docs": sorted(d["doc"] for d in ix.documents()), "sections": sections,
                "hits": hits}


def _leftovers(index_dir: Path) -> list[str]:
    """Anything an interrupted run may leave: trash, temporary files, unpublished generations."""
    out = [p.name for p in index_dir.iterdir()
           if p.name.startswith(layout.TRASH) or ".tmp-" in p.name]
    live = layout.current_generation(index_dir)
    for n in layout.generation_numbers(index_dir):
        gen = index_dir / f"gen-{n:06d}"
        if not (gen / layout.MANIFEST).is_file() or (live and n > int(live.name[4:])):
            out.append(gen.name)
    return out


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """A base index over corpus state A (three generations), the corpus changed to state C
    (new, changed and deleted files), and a clean build of C to compare against."""
    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    write_corpus(corpus, 24)
    base = root / "base"
    aside = root / "aside"
    aside.mkdir()
    for f in sorted(corpus.glob("protokoll_01*.txt")):
        f.rename(aside / f.name)
    build_index([corpus], base, semantic=False)
    for f in aside.iterdir():
        f.rename(corpus / f.name)
    build_index([corpus], base, semantic=False)
    (corpus / "protokoll_000.txt").write_text("Ny lydelse.\n\n§ 9\n\nBeslut om vindkraft.\n",
                                              encoding="utf-8")
    build_index([corpus], base, semantic=False)
    base_state = _snapshot(base)
    # state C: 12 new documents, 2 changed, 2 deleted (and --prune)
    write_corpus(corpus / "ny", 12, seed=99, seeds=False)
    for f in (corpus / "ny").iterdir():
        f.rename(corpus / "ny" / f"ny_{f.name}")
    for name in ("protokoll_003.txt", "protokoll_007.txt"):
        p = corpus / name
        p.write_text(p.read_text(encoding="utf-8") + "\nTillägg: dokument27 vindkraft.\n",
                     encoding="utf-8")
    (corpus / "protokoll_005.txt").unlink()
    (corpus / "protokoll_009.txt").unlink()
    clean = root / "clean"
    build_index([corpus], clean, semantic=False)
    probe = root / "probe"
    shutil.copytree(base, probe)
    proc = subprocess.Popen(_index_cmd(corpus, probe, "--prune"), env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: _lock_pid(probe) == proc.pid, poll=0.002)
    t0 = time.perf_counter()
    assert proc.wait(timeout=300) == 0
    duration = time.perf_counter() - t0  # from taking the lock to the end: the writing part
    final_state = _snapshot(clean)
    assert _snapshot(probe) == final_state
    assert base_state["docs"] != final_state["docs"]
    return {"root": root, "corpus": corpus, "base": base, "base_state": base_state,
            "final_state": final_state, "duration": duration}


def _kill_and_recover(scenario: dict, name: str, *, delay: float | None = None,
                      failpoint: str | None = None) -> str:
    """Kill one update, check the index, re-run, compare with the clean build."""
    ix = scenario["root"] / name
    shutil.copytree(scenario["base"], ix)
    env = _env(**({layout.FAILPOINT_ENV: failpoint} if failpoint else {}))
    proc = subprocess.Popen(_index_cmd(scenario["corpus"], ix, "--prune"), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if failpoint:
        proc.wait(timeout=300)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    else:  # a random moment after the writer took the lock, i.e. while it writes
        _wait_for(lambda: _lock_pid(ix) == proc.pid or proc.poll() is not None, poll=0.002)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
    proc.stderr.close()
    state = _snapshot(ix)  # opens and answers, old state or new
    outcome = "new" if state == scenario["final_state"] else "old"
    if outcome == "old":
        assert state["docs"] == scenario["base_state"]["docs"]
        assert state["sections"] == scenario["base_state"]["sections"]
    assert state["hits"]["Balans-22"]
    build_index([scenario["corpus"]], ix, semantic=False, prune=True)
    assert _snapshot(ix) == scenario["final_state"]
    assert _leftovers(ix) == []
    assert len(layout.generation_numbers(ix)) <= 2
    shutil.rmtree(ix)
    return outcome


@pytest.mark.parametrize("failpoint", FAILPOINTS)
def test_kill_at_each_step_of_publication_and_collection(scenario, failpoint):
    outcome = _kill_and_recover(scenario, f"fp-{failpoint}", failpoint=failpoint)
    assert outcome == ("new" if failpoint in ("after-current", "mid-collect") else "old")


def _random_delays(scenario: dict, n: int, seed: int) -> list[float]:
    """Spread over the writing part of the run with jitter, the last ones past its end."""
    rng = random.Random(seed)
    span = scenario["duration"] * 1.1
    return [span * (k + rng.random()) / n for k in range(n)]


def test_kill_at_random_moments_fast(scenario):
    outcomes = [_kill_and_recover(scenario, f"rnd-{i}", delay=d)
                for i, d in enumerate(_random_delays(scenario, 2, seed=1))]
    assert outcomes


@pytest.mark.slow
def test_kill_at_twenty_four_random_moments(scenario):
    delays = _random_delays(scenario, 24, seed=2024)
    outcomes = [_kill_and_recover(scenario, f"slow-{i}", delay=d) for i, d in enumerate(delays)]
    print(f"\nkill points: {len(delays)} over the {scenario['duration']:.2f} s of writing; "
          f"outcomes: {outcomes.count('old')} old state, {outcomes.count('new')} new state")
    assert len(outcomes) == 24


def test_ctrl_c_leaves_the_previous_index_and_no_leftovers(scenario):
    ix = scenario["root"] / "sigint"
    shutil.copytree(scenario["base"], ix)
    before = layout.generation_numbers(ix)
    # The writer gets Ctrl-C as from a terminal even when this test run was started in the
    # background (nohup, `&`), which hands its children an ignored SIGINT.
    proc = subprocess.Popen(_index_cmd(scenario["corpus"], ix, "--prune"),
                            env=_env(**{layout.FAILPOINT_ENV: "after-lexical:sleep=30"}),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)
    _wait_for(lambda: len(layout.generation_numbers(ix)) > len(before)
              and _lock_pid(ix) == proc.pid and _has_lexical_commit(ix))
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert layout.generation_numbers(ix) == before
    assert _snapshot(ix) == scenario["base_state"]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _has_lexical_commit(ix: Path) -> bool:
    """The newest generation has a lexical TOC of its own (the base's is hard-linked in, so
    look for more TOCs than the base generation has)."""
    gens = layout.generation_numbers(ix)
    newest = ix / f"gen-{gens[-1]:06d}" / "lexical"
    base = ix / f"gen-{gens[-2]:06d}" / "lexical" if len(gens) > 1 else None
    old = {p.name for p in base.glob("_MAIN_*.toc")} if base and base.is_dir() else set()
    return newest.is_dir() and bool({p.name for p in newest.glob("_MAIN_*.toc")} - old)


def _lock_pid(ix: Path) -> int | None:
    try:
        text = (ix / layout.LOCK).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _wait_for(condition, timeout: float = 60.0, poll: float = 0.05) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(poll)


def test_two_concurrent_writers_the_second_is_refused_with_the_first_pid(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6, seeds=False)
    ix = tmp_path / "ix"
    first = subprocess.Popen(_index_cmd(corpus, ix),
                             env=_env(**{layout.FAILPOINT_ENV: "after-lexical:sleep=2.5"}),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: _lock_pid(ix) == first.pid)
    second = subprocess.run(_index_cmd(corpus, ix), env=_env(), capture_output=True, text=True,
                            timeout=120)
    assert second.returncode == 7
    assert f"index {ix}/ is being updated by process {first.pid}" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1 and "Traceback" not in second.stderr
    _out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    third = subprocess.run(_index_cmd(corpus, ix), env=_env(), capture_output=True, text=True,
                           timeout=120)
    assert third.returncode == 0 and "nothing changed" in third.stderr


def test_a_killed_writers_lock_is_free(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 3, seeds=False)
    ix = tmp_path / "ix"
    proc = subprocess.Popen(_index_cmd(corpus, ix),
                            env=_env(**{layout.FAILPOINT_ENV: "after-lexical:sleep=60"}),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: _lock_pid(ix) == proc.pid)
    proc.kill()
    proc.wait(timeout=30)
    assert _lock_pid(ix) == proc.pid  # the stale pid is still written there …
    report = build_index([corpus], ix, semantic=False)  # … but the lock is free
    assert len(report.indexed) == 3 and _leftovers(ix) == []


READER = """
import json, sys, time
from pathlib import Path
from searcher.engine import open_index
root, stop, progress = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
errors, seen, rounds = [], set(), 0
held = open_index(root)
while not stop.exists() and rounds < 5000:
    rounds += 1
    if rounds == 2:  # warmed up (imports, lexicon): the writer may start
        stop.with_name("ready").touch()
    try:
        with open_index(root) as ix:
            seen.add(ix.generation.name)
            hits = ix.search("Balans-22", mode="lexical", limit=5)
            assert len(hits) == 5 and all("Balans-22" in h.section.text for h in hits), hits
            assert ix.search("kommunen", mode="lexical", limit=3)
        assert len(held.search("Balans-22", mode="lexical", limit=5)) == 5
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
    progress.write_text(str(rounds))
held.close()
print(json.dumps({"rounds": rounds, "errors": errors[:5], "n_errors": len(errors),
                  "generations": sorted(seen)}))
"""


def test_readers_keep_answering_while_a_writer_publishes(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6)
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    stop, progress = tmp_path / "stop", tmp_path / "rounds"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(ix), str(stop), str(progress)],
                              env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)

    def rounds() -> int:
        try:
            return int(progress.read_text() or 0)
        except (OSError, ValueError):
            return 0

    def reader_moves_on(after: int) -> None:
        """Whatever the machine's load: the reader answers twice more before the next update,
        so it sees every generation the writer publishes."""
        _wait_for(lambda: rounds() >= after + 2 or reader.poll() is not None, timeout=120)

    try:
        reader_moves_on(0)
        for i in range(5):
            (corpus / f"update_{i}.txt").write_text(f"Kommunen beslutar om uppdatering{i}.\n",
                                                    encoding="utf-8")
            if i == 3:
                (corpus / "protokoll_001.txt").unlink()
            build_index([corpus], ix, semantic=False, prune=True)
            reader_moves_on(rounds())
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    result = json.loads(out)
    assert result["n_errors"] == 0, result["errors"]
    assert result["rounds"] >= 12 and len(result["generations"]) >= 6
