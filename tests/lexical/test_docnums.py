"""Section id → whoosh document number, the fast way (one term lookup) and whoosh's way, must
agree, in a fresh index and in one whose changed documents left deletions and segments."""

from __future__ import annotations

from searcher.engine import open_index
from searcher.lexical.index import _docnums
from searcher.store.build import build_index
from tests.swedish_docs import write_corpus


def whoosh_docnums(searcher, ids):
    out = {}
    for sid in ids:
        d = searcher.document_number(section_id=sid)
        if d is not None:
            out[d] = sid
    return out


def check(index_dir, extra=("nope/s000", "")):
    with open_index(index_dir) as ix:
        ids = [s.section_id for s in ix.store.iter_sections()] + list(extra)
        with ix.lexical._reading() as s:
            got = _docnums(s, ids)
            assert got == whoosh_docnums(s, ids)
            assert len(got) == len(ids) - len(extra)
            return s.reader().is_atomic() and not s.reader().has_deletions()


def test_fast_docnums_equal_whooshs_before_and_after_changes(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6, seeds=False)
    ix = tmp_path / "ix"
    build_index([corpus], ix, semantic=False)
    assert check(ix)  # one segment, no deletions: the direct path
    for name in ("protokoll_002.txt", "protokoll_004.txt"):
        path = corpus / name
        path.write_text(path.read_text(encoding="utf-8") + "\nTillägg om fjärrvärme.\n",
                        encoding="utf-8")
    build_index([corpus], ix, semantic=False)
    check(ix)  # either path: the same answers


def test_with_deletions_whooshs_lookup_is_used(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 3, seeds=False)
    build_index([corpus], tmp_path / "ix", semantic=False)
    with open_index(tmp_path / "ix") as ix, ix.lexical._reading() as s:
        reader = s.reader()
        monkeypatch.setattr(type(reader), "has_deletions", lambda self: True)
        calls = []
        lookup = type(s).document_number
        monkeypatch.setattr(type(s), "document_number",
                            lambda self, **kw: calls.append(kw) or lookup(self, **kw))
        ids = [x.section_id for x in ix.store.iter_sections()]
        assert _docnums(s, ids) == whoosh_docnums(s, ids) and len(calls) == 2 * len(ids)
