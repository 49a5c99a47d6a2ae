"""searcher.lexical.prepared: the same postings as whoosh's own analysis, field by field, and the
same index as whoosh's update_document writes (oracle: whoosh itself, on the seed corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.formats import Positions

from searcher.lexical import whoosh_internals
from searcher.lexical import writer as lexical
from searcher.lexical.prepared import PreparedAnalyser
from searcher.lexical.schema import build_schema, section_fields
from searcher.records import Section


def _whoosh_items(schema, fields: dict) -> dict:
    """Each indexed field's (term, freq, weight, value) items and length, by whoosh itself."""
    out = {}
    for name, value in fields.items():
        field = schema[name]
        if value is None or not field.indexed:
            continue
        items = sorted(field.index(value))
        out[name] = (items, sum(i[1] for i in items) if field.scorable else 0)
    return out


def _prepared_items(analyser: PreparedAnalyser, fields: dict) -> dict:
    return {name: (sorted(p.items), p.length) for name, p in analyser.prepare(fields).items()}


def test_every_seed_section_gets_whooshs_postings(seed_sections):
    schema = build_schema()
    analyser = PreparedAnalyser(schema)
    assert {"text", "parts", "exact", "title"} <= set(analyser.chains)  # the fast path is used
    assert len(seed_sections) > 50
    for section in seed_sections:
        fields = section_fields(section)
        assert _prepared_items(analyser, fields) == _whoosh_items(schema, fields), \
            section.section_id


# Characters that make identifiers, Dnr numbers, § references, compounds and stop words.
_WORDS = st.sampled_from(
    ["och", "för", "Dnr", "KS", "2022-00295", "2022/295", "§", "§§", "12", "3 000", "kap.",
     "Balans-22", "e-tjänster", "placeringskostnader", "serveringstillstånd", "SFS", "2010:800",
     "KPMG:s", "www.example.se/a", "ks@kommun.se", "–", "-", "/", ".", ",", "Ärende", "år",
     "hälsodataområdet", "beslutet", "att", "i", "COM(2020)", "5", "a", "19", "2021-12-01"])
_SEP = st.sampled_from([" ", "  ", "\n", " \n", "\u00a0", "", ": ", ", "])


@st.composite
def _text(draw, max_words: int = 30) -> str:
    words = draw(st.lists(st.tuples(_WORDS, _SEP), max_size=max_words))
    return "".join(w + s for w, s in words)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_text(max_words=6), body=_text(), breadcrumb=st.lists(_text(max_words=3),
                                                                   max_size=2))
def test_any_text_gets_whooshs_postings(title, body, breadcrumb):
    schema = build_schema()
    section = Section(section_id="d/p1", doc="d", ordinal=0, kind="paragraph", title=title,
                      text=body,
                      breadcrumb=tuple(breadcrumb))
    fields = section_fields(section)
    assert _prepared_items(PreparedAnalyser(schema), fields) == _whoosh_items(schema, fields)


def _index_content(path: Path) -> dict:
    """Everything a search reads: per field every term's postings (docnum, weight, positions),
    every document's stored fields and field lengths, and the collection statistics."""
    ix = whoosh_index.open_dir(str(path))
    with ix.searcher() as s:
        r = s.reader()
        content: dict = {"doc_count": r.doc_count_all(), "stored": list(r.all_stored_fields())}
        for name in ix.schema.names():
            field = ix.schema[name]
            if not field.indexed:
                continue
            postings = {}
            for term in r.lexicon(name):
                m = r.postings(name, term)
                rows = []
                while m.is_active():
                    rows.append((m.id(), m.weight(), m.value()))
                    m.next()
                postings[term] = (r.doc_frequency(name, term), r.frequency(name, term), rows,
                                  r.max_weight(name, term) if hasattr(r, "max_weight") else None)
            content[name] = postings
            if field.scorable:
                content[f"{name}:lengths"] = [r.doc_field_length(d, name)
                                              for d in range(r.doc_count_all())]
                content[f"{name}:total"] = r.field_length(name)
    ix.close()
    return content


def _old_way(path: Path, sections: list[Section]) -> None:
    """What add_sections did before searcher.lexical.prepared: whoosh analyses every field."""
    lexical.create(path)
    ix = whoosh_index.open_dir(str(path))
    writer = ix.writer(limitmb=256, compound=False)
    for section in sections:
        writer.update_document(**section_fields(section))
    writer.commit()


@pytest.mark.parametrize(("workers", "spill"), [
    (0, None),  # analysed here, every posting in memory until the commit
    (2, None),  # analysed in two worker processes
    (0, 3_000),  # postings spilled to temporary files in runs of ~3,000 and merged
])
def test_index_equals_whooshs_own(tmp_path, seed_sections, workers, spill, monkeypatch):
    monkeypatch.setattr(lexical, "BATCH", 7)  # several batches in flight, out of step
    monkeypatch.setattr(whoosh_internals, "ENCODE_TERMS", 50)  # many batches at commit too
    if spill:
        monkeypatch.setattr(whoosh_internals, "SPILL_POSTINGS", spill)
    new, old = tmp_path / "new", tmp_path / "old"
    lexical.create(new)
    assert lexical.add_sections(new, seed_sections, workers=workers) == len(seed_sections)
    _old_way(old, seed_sections)
    assert _index_content(new) == _index_content(old)
    # ... and so do the posting and term files, byte for byte
    for ext in ("pst", "trm"):
        (a,), (b,) = list(new.glob(f"*.{ext}")), list(old.glob(f"*.{ext}"))
        assert a.read_bytes() == b.read_bytes(), ext


def test_update_replaces_sections_as_whoosh_does(tmp_path, seed_sections, monkeypatch):
    """A second add_sections (an incremental update) replaces sections by section_id, merging
    segments as whoosh decides: the same index as update_document gives."""
    monkeypatch.setattr(whoosh_internals, "SPILL_POSTINGS", 2_000)
    first, second = seed_sections[:60], seed_sections[40:]
    new, old = tmp_path / "new", tmp_path / "old"
    lexical.create(new)
    lexical.add_sections(new, first)
    lexical.add_sections(new, second)
    _old_way(old, first)
    ix = whoosh_index.open_dir(str(old))
    writer = ix.writer(limitmb=256, compound=False)
    for section in second:
        writer.update_document(**section_fields(section))
    writer.commit()
    got, want = _index_content(new), _index_content(old)
    assert got["doc_count"] == want["doc_count"]
    assert got == want


def test_merged_segments_join_after_the_added_sections(tmp_path, seed_sections):
    """When whoosh's merge policy pulls older segments into the new one (here: optimize), their
    postings come through whoosh's own pool and follow the sections added: the same index as
    whoosh's update_document and commit(optimize=True) give."""
    first, second = seed_sections[:50], seed_sections[30:]
    new, old = tmp_path / "new", tmp_path / "old"
    lexical.create(new)
    lexical.add_sections(new, first)
    ix = whoosh_index.open_dir(str(new))
    writer = ix.writer(limitmb=256, compound=False)
    segment = whoosh_internals.FastSegment(writer)
    analyser = PreparedAnalyser(writer.schema)
    for section in second:
        fields = section_fields(section)
        segment.add(fields, analyser.prepare(fields), update=True)
    writer.commit(optimize=True)
    _old_way(old, first)
    ix = whoosh_index.open_dir(str(old))
    writer = ix.writer(limitmb=256, compound=False)
    for section in second:
        writer.update_document(**section_fields(section))
    writer.commit(optimize=True)
    assert len(whoosh_index.open_dir(str(new))._segments()) == 1  # the merge did happen
    assert _index_content(new) == _index_content(old)


@pytest.mark.parametrize("pos", [0, 1, 7, 255, 256, 65_535, 2**31])
def test_one_position_is_whooshs_value_and_a_new_object_each_time(pos):
    """Remembered, but never the same object twice: pickle would write an object met twice
    in a posting block as a back-reference, and the block's bytes would differ from whoosh's."""
    analyser = PreparedAnalyser(build_schema())
    first, second = analyser.single_position(pos), analyser.single_position(pos)
    assert first == second == Positions().encode([pos])
    assert first is not second
