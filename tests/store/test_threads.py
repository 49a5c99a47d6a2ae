"""One SearchIndex shared by threads gives exactly the single-thread answers (issue 19).

The oracle is the same index used from one thread: 4 threads then run the same queries in
different orders on a freshly opened handle (so the lazily opened searcher, scorer caches and
filter masks are raced for too), and every answer must equal the oracle's.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter

import pytest

from searcher.engine import open_index

THREADS = 4
ROUNDS = 3  # each thread runs every query this many times, in its own shuffled order


def _queries(ix) -> list[tuple[str, dict]]:
    """Words of the seed corpus (frequent and rare), pairs, phrases, prefixes, typos, filters."""
    words = Counter(w.lower() for s in ix.store.iter_sections()
                    for w in re.findall(r"[^\W\d_]{5,}", s.text))
    common = [w for w, _ in words.most_common(60)]
    rare = sorted(w for w, n in words.items() if n == 1)[:60]
    rng = random.Random(19)
    queries: list[tuple[str, dict]] = [(w, {}) for w in common + rare]
    queries += [(f"{rng.choice(common)} {rng.choice(rare)}", {}) for _ in range(40)]
    queries += [(f'"{a} {b}"', {}) for a, b in zip(common[:20], common[20:40], strict=True)]
    queries += [(w[:4] + "*", {}) for w in common[:15]]
    queries += [(w[:2] + w[3:], {}) for w in rare[:15]]  # one letter dropped: typo expansion
    queries += [(w, {"year": "2020..2030"}) for w in common[:15]]
    return queries


def _answer(ix, query: str, filters: dict) -> list[tuple[str, float]]:
    return [(r.section.section_id, r.score)
            for r in ix.search(query, mode="lexical", limit=10, filters=filters)]


def test_threads_sharing_one_handle_get_the_single_thread_answers(lexical_index_dir):
    with open_index(lexical_index_dir) as ix:
        queries = _queries(ix)
        expected = {i: _answer(ix, q, f) for i, (q, f) in enumerate(queries)}
    assert sum(bool(a) for a in expected.values()) > len(queries) * 0.8  # real answers

    wrong: list[tuple[str, object]] = []
    errors: list[BaseException] = []
    done = Counter()
    start = threading.Barrier(THREADS)
    with open_index(lexical_index_dir) as shared:

        def work(seed: int) -> None:
            order = [i for _ in range(ROUNDS) for i in range(len(queries))]
            random.Random(seed).shuffle(order)
            start.wait()
            try:
                for i in order:
                    q, f = queries[i]
                    got = _answer(shared, q, f)
                    if got != expected[i]:
                        wrong.append((q, got))
                    shared.show(expected[i][0][0]) if expected[i] else None
                    done[seed] += 1
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert not wrong, wrong[:3]
    assert sum(done.values()) == THREADS * ROUNDS * len(queries) >= 2000


@pytest.mark.parametrize("what", ["documents", "sections_of", "get_many"])
def test_the_section_store_answers_threads_alike(lexical_index_dir, what):
    with open_index(lexical_index_dir) as ix:
        docs = [d["doc"] for d in ix.documents()]
        ids = [s.section_id for s in ix.store.iter_sections()]
        calls = {"documents": lambda: ix.store.documents(),
                 "sections_of": lambda: [ix.store.sections_of(d) for d in docs],
                 "get_many": lambda: ix.store.get_many(ids[::3])}
        expected = calls[what]()
        results: list[object] = []

        def work() -> None:
            for _ in range(50):
                results.append(calls[what]())

        threads = [threading.Thread(target=work) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == THREADS * 50 and all(r == expected for r in results)
