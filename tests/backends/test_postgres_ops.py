"""Operating the PostgreSQL backend for real: migrations, partitions, updates, statistics that
stay consistent, the writer lock, migrate, errors, vectors, a streaming replica, concurrency."""

from __future__ import annotations

import shutil
import threading
import time

import numpy as np
import pytest

from searcher.backends.postgres import build_pg_index, migrate, open_pg_index
from searcher.backends.postgres.db import Database, connect
from searcher.backends.postgres.filters import FilterSet
from searcher.backends.postgres.local import wait_until
from searcher.backends.postgres.partitions import partition_names
from searcher.backends.postgres.schema import MIGRATIONS, SCHEMA_VERSION, migrate_schema
from searcher.backends.postgres.vectors import PgVectors
from searcher.backends.postgres.writer import PgWriter
from searcher.engine import open_index
from searcher.errors import IndexLockedError, IndexMismatchError, IndexNotBuiltError, SearcherError
from searcher.query.filters import parse_filters
from tests.conftest import CORPUS, PROTOCOL, REPORT

CONSISTENCY = {
    "df equals postings per term": "SELECT count(*) FROM terms t WHERE t.df <> "
    "(SELECT count(*) FROM postings p WHERE p.term_id = t.term_id)",
    "N equals sections": "SELECT count(*) FROM corpus_stats WHERE n_sections <> "
    "(SELECT count(*) FROM section_keys)",
    "field totals equal lengths": "SELECT count(*) FROM field_stats f WHERE f.total_length <> "
    "(SELECT coalesce(sum(k.lengths[f.field]), 0) FROM section_keys k)",
    "a partition row per key": "SELECT count(*) FROM section_keys k WHERE NOT EXISTS (SELECT 1 "
    "FROM sections s WHERE s.sid = k.sid AND s.municipality = k.municipality AND s.year = k.year)",
}


def assert_consistent(dsn: str) -> None:
    with connect(dsn) as conn:
        broken = {name: conn.execute(sql).fetchone()[0] for name, sql in CONSISTENCY.items()}
    assert broken == dict.fromkeys(CONSISTENCY, 0)


def test_migrations_are_versioned_and_idempotent(pg_server):
    dsn = pg_server.create_database("migrations")
    with pytest.raises(IndexNotBuiltError, match="no index"):
        open_pg_index(dsn)
    with connect(dsn, autocommit=True) as conn:
        assert migrate_schema(conn) == [m.version for m in MIGRATIONS]
        assert migrate_schema(conn) == []
        rows = conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))
        conn.execute("INSERT INTO schema_version VALUES (%s, 'from the future')",
                     (SCHEMA_VERSION + 1,))
    with pytest.raises(IndexMismatchError, match="newer than this searcher"):
        open_pg_index(dsn)


def test_sections_are_partitioned_by_municipality_and_year(pg_lexical_dsn):
    with connect(pg_lexical_dsn) as conn:
        keys = set(conn.execute("SELECT DISTINCT municipality, year FROM section_keys"))
        assert set(conn.execute("SELECT municipality, year FROM section_partitions")) == keys
        municipality, year = sorted(k for k in keys if k[1])[-1]
        leaf = partition_names(municipality, year)[1]
        rows = conn.execute("SELECT count(*) FROM sections WHERE tableoid = %s::regclass",
                            (leaf,)).fetchone()[0]
        assert rows > 0
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT sid FROM sections WHERE municipality = %s AND year BETWEEN %s AND %s",
            (municipality, year, year)))
    assert leaf in plan and plan.count("sections_") == 1  # pruned to the one leaf


def test_updates_replace_documents_and_keep_statistics_consistent(pg_server, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    dsn = pg_server.create_database("updates")
    first = build_pg_index([corpus], dsn, semantic=False)
    assert sorted(first.indexed) == [PROTOCOL, REPORT]
    assert_consistent(dsn)
    again = build_pg_index([corpus], dsn, semantic=False)
    assert again.indexed == () and sorted(again.unchanged) == [PROTOCOL, REPORT]
    text = (corpus / REPORT).read_text(encoding="utf-8")
    (corpus / REPORT).write_text(text.replace("Balans-22", "Zebrafink-99"), encoding="utf-8")
    changed = build_pg_index([corpus], dsn, semantic=False)
    assert changed.indexed == (REPORT,)
    assert_consistent(dsn)
    with open_index(dsn) as ix:
        assert not ix.search("Balans-22", mode="lexical")
        assert ix.search("Zebrafink-99", mode="lexical", limit=1)
    (corpus / PROTOCOL).unlink()
    pruned = build_pg_index([corpus], dsn, semantic=False, prune=True)
    assert pruned.removed == (PROTOCOL,)
    assert_consistent(dsn)
    with open_index(dsn) as ix:
        assert [d["doc"] for d in ix.documents()] == [REPORT]


def test_one_writer_at_a_time(pg_server):
    dsn = pg_server.create_database("locked")
    with PgWriter(dsn), pytest.raises(IndexLockedError, match="another process"):
        PgWriter(dsn)


def test_migrate_copies_an_embedded_index(pg_server, lexical_index_dir, lexical_index):
    dsn = pg_server.create_database("migrated")
    report = migrate(lexical_index_dir, dsn)
    assert report.sections == lexical_index.store.section_count()
    with pytest.raises(SearcherError, match="already holds an index"):
        migrate(lexical_index_dir, dsn)
    migrate(lexical_index_dir, dsn, replace=True)
    assert_consistent(dsn)
    with open_index(dsn) as ix:
        assert [r.section.section_id for r in ix.search("Balans-22", mode="lexical")] == \
            [r.section.section_id for r in lexical_index.search("Balans-22", mode="lexical")]


def test_unreachable_server_is_one_clear_error():
    with pytest.raises(SearcherError, match=r"cannot use PostgreSQL at postgresql://u@127"):
        open_index("postgresql://u:secret@127.0.0.1:1/none")


@pytest.fixture(scope="module")
def pg_vectors_dsn(pg_server):
    """The seed corpus with synthetic vectors (two passages per section; no model needed)."""
    dsn = pg_server.create_database("vectors")
    build_pg_index([CORPUS], dsn, semantic=False)
    with open_index(dsn) as ix:
        ids = [s.section_id for s in ix.store.iter_sections()]
    rng = np.random.default_rng(7)
    blocks = {sid: _normalised(rng.normal(size=(2, 16))) for sid in ids}
    with PgWriter(dsn) as writer:
        writer.set_semantic({"model": "synthetic", "dim": 16, "normalize": True,
                             "prompts": {"query": "", "passage": ""}})
        writer.put_vectors(blocks)
        writer.finish()
    return dsn, blocks


def _normalised(m: np.ndarray) -> np.ndarray:
    return (m / np.linalg.norm(m, axis=-1, keepdims=True)).astype(np.float32)


def _oracle(blocks: dict, q: np.ndarray, allowed=None) -> list[str]:
    scores = {sid: float((np.asarray(b, np.float16).astype(np.float32) @ q).max())
              for sid, b in blocks.items() if allowed is None or sid in allowed}
    return sorted(scores, key=lambda s: (-scores[s], s))


@pytest.mark.parametrize("exact_below", [10**9, 0], ids=["exact", "hnsw"])
def test_vector_search_finds_the_best_passages(pg_vectors_dsn, exact_below):
    dsn, blocks = pg_vectors_dsn
    db = Database(dsn)
    try:
        vectors = PgVectors(db, 16, exact_below=exact_below)
        assert len(vectors) == len(blocks)
        rng = np.random.default_rng(11)
        overlap = []
        for q in _normalised(rng.normal(size=(10, 16))):
            got = [h.section_id for h in vectors.search(q, limit=10)]
            overlap.append(len(set(got) & set(_oracle(blocks, q)[:10])))
            flt = parse_filters({"doc": PROTOCOL})
            allowed = FilterSet(db, flt)
            filtered = [h.section_id for h in vectors.search(q, limit=5, allowed=allowed)]
            assert filtered == _oracle(blocks, q, set(allowed))[:5]  # all in PROTOCOL, top 5
        assert min(overlap) >= (10 if exact_below else 8)
        sid = next(iter(blocks))
        np.testing.assert_allclose(vectors.rows_of(sid), blocks[sid], atol=1e-3)
        assert abs(float(np.linalg.norm(vectors.vector_of(sid))) - 1) < 1e-5
    finally:
        db.close()


def test_a_streaming_replica_answers_queries(pg_server, pg_root):
    replica = pg_server.start_replica(pg_root / "replica")
    try:
        dsn = pg_server.create_database("after_replica")  # written after the base backup
        build_pg_index([CORPUS / PROTOCOL], dsn, semantic=False)
        on_replica = replica.dsn("after_replica")

        def replayed() -> bool:
            try:
                with open_index(on_replica) as ix:
                    return ix.store.section_count() > 0
            except SearcherError:
                return False

        assert wait_until(replayed, timeout_s=30)
        with connect(on_replica) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        with open_index(on_replica) as ix, open_index(dsn) as primary:
            want = primary.search("Brottsofferjouren", mode="lexical", limit=3)
            got = ix.search("Brottsofferjouren", mode="lexical", limit=3)
            assert [r.section for r in got] == [r.section for r in want]
        with pytest.raises(SearcherError, match="read-only standby"):
            build_pg_index([CORPUS], on_replica, semantic=False)
    finally:
        replica.stop()


def test_readers_see_whole_documents_while_the_writer_updates(pg_server, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    dsn = pg_server.create_database("concurrent")
    build_pg_index([corpus], dsn, semantic=False)
    original = (corpus / REPORT).read_text(encoding="utf-8")
    stop = threading.Event()
    errors: list[BaseException] = []
    reads = [0]

    def reader(ix) -> None:
        while not stop.is_set():
            try:
                hits = ix.search("Balans-22", mode="lexical", limit=5)
                assert len(hits) == 5 and all("Balans-22" in r.section.text for r in hits)
                assert len(ix.sections(REPORT)) == ix.store.section_count([REPORT])
                reads[0] += 1
            except BaseException as e:  # collected and re-raised in the test thread
                errors.append(e)
                return

    with open_index(dsn) as ix:
        threads = [threading.Thread(target=reader, args=(ix,)) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for i in range(4):
                time.sleep(0.2)
                (corpus / REPORT).write_text(original.replace("verksamheten", f"verk{i}"),
                                             encoding="utf-8")
                assert build_pg_index([corpus], dsn, semantic=False).indexed == (REPORT,)
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert not errors, errors[0]
    assert reads[0] > 20
    assert_consistent(dsn)


def test_vectors_of_unchanged_sections_survive_an_update(pg_server, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    dsn = pg_server.create_database("carry")
    build_pg_index([corpus], dsn, semantic=False)
    with open_index(dsn) as ix:
        sections = ix.sections(PROTOCOL)
    blocks = {s.section_id: _normalised(np.ones((1, 16)) * (i + 1))
              for i, s in enumerate(sections)}
    with PgWriter(dsn) as writer:
        writer.set_semantic({"model": "synthetic", "dim": 16, "prompts": {}})
        writer.put_vectors(blocks)
        writer.finish()
    text = (corpus / PROTOCOL).read_text(encoding="utf-8")
    (corpus / PROTOCOL).write_text(text.replace("Brottsofferjouren", "Brottsofferbyrån"),
                                   encoding="utf-8")
    report = build_pg_index([corpus], dsn, semantic=False)  # --no-semantic: nothing encoded
    assert report.indexed == (PROTOCOL,) and report.semantic == "partial"
    with open_index(dsn) as ix:
        vectors = ix._vectors()
        for s in ix.sections(PROTOCOL):
            changed = "Brottsofferbyrån" in s.text
            assert (vectors.rows_of(s.section_id) is None) == changed
    assert_consistent(dsn)
