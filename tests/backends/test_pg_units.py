"""The PostgreSQL backend's pure parts, without a server: lexemes, query trees, URIs, names."""

from __future__ import annotations

import pytest

from searcher.backends.postgres import bm25
from searcher.backends.postgres.dsn import postgres_dsn, redact
from searcher.backends.postgres.filters import where_clause
from searcher.backends.postgres.lexemes import FIELD_NAMES, section_lexemes
from searcher.backends.postgres.partitions import partition_names
from searcher.backends.postgres.rows import filter_values
from searcher.errors import BadQueryError
from searcher.lexical.schema import build_schema, section_fields
from searcher.query.filters import parse_filters


def test_lexemes_are_the_terms_whoosh_indexes(lexical_index):
    schema = build_schema()
    n = 0
    for section in lexical_index.store.iter_sections():
        fields = section_fields(section)
        for fl in section_lexemes(section):
            name = FIELD_NAMES[fl.field]
            items = list(schema[name].index(fields[name]))
            assert dict(fl.weights) == {t.decode(): w for t, _f, w, _v in items}
            assert fl.length == sum(f for _t, f, _w, _v in items)
        n += 1
    assert n == lexical_index.store.section_count()


def test_filter_values_follow_the_whoosh_fields(lexical_index):
    s = lexical_index.show("000_5ef240bb4f3b8a0b/p259")
    f = filter_values(s)
    # the Dnr as its normalised key, as the whoosh field holds it (any written form matches)
    assert f.municipality == "växjö" and f.year == 2022 and f.dnr == ("2022/295",)
    assert f.paragraph == "259" and f.kind == "paragraph"


@pytest.mark.parametrize(("value", "dsn"), [
    ("postgresql://u@h/db", "postgresql://u@h/db"),
    ("postgres://h:5433/db?sslmode=require", "postgres://h:5433/db?sslmode=require"),
    ("postgresql:/u@h/db", "postgresql://u@h/db"),  # what Path() makes of a URI
    ("index", None), ("/tmp/postgresql", None), (None, None),
])
def test_postgres_uris_are_recognised(value, dsn):
    assert postgres_dsn(value) == dsn


def test_passwords_never_show():
    assert redact("postgresql://user:s3cret@host:5432/db") == "postgresql://user@host:5432/db"
    assert redact("postgresql://host/db") == "postgresql://host/db"


def test_filters_become_one_where_clause():
    cond, params = where_clause(parse_filters({"kommun": "Växjö", "dnr": "2022-00295",
                                               "year": "2020..2022"}))
    assert cond == ("s.municipality = %(flt0)s AND s.dnr @> ARRAY[%(flt1)s]::text[] AND "
                    "s.year BETWEEN %(flt_from)s AND %(flt_to)s")
    assert params == {"flt0": "växjö", "flt1": "2022/295", "flt_from": 2020, "flt_to": 2022}
    assert where_clause(parse_filters({"year": "..2021"}))[1]["flt_from"] == 1  # never year 0


def test_partition_names_are_safe_and_distinct():
    parent, leaf = partition_names("Växjö", 2022)
    assert parent.startswith("sections_vaxjo_") and leaf == f"{parent}_y2022"
    assert partition_names("", 0)[0].startswith("sections_none_")
    assert partition_names("Malmö", 2020)[0] != partition_names("Malmo", 2020)[0]


def test_query_trees_follow_whooshs_parse():
    tree = bm25.from_whoosh(bm25.parse('läkemedelsroboten "Balans 22" NOT barn'))
    assert tree.op == "or" and tree.scale == pytest.approx(0.9)
    kinds = [c.op for c in tree.children]
    assert kinds.count("and") == 4 and "not" in kinds  # compound parts; a phrase per field
    with pytest.raises(BadQueryError, match="cannot run TermRange"):
        bm25.from_whoosh(bm25.parse("[a TO c]"))
    with pytest.raises(BadQueryError, match="empty query"):
        bm25.parse("  ")


def test_coordination_is_whooshs_sqr():
    from whoosh.matching.wrappers import CoordMatcher

    class _Leaves:
        def term_matchers(self):
            return iter(range(5))

    coord = CoordMatcher(_Leaves(), scale=0.9)
    compiled = bm25._coordinated("(s)", "(m)", 5, 0.9)
    for score, matching in ((3.0, 1), (7.5, 4)):
        sql = compiled.replace("(s)", repr(score)).replace("(m)", str(matching))
        assert eval(sql.replace("::int", "")) == pytest.approx(coord._sqr(score, matching))


def test_unknown_terms_drop_out_and_patterns_expand():
    tree = bm25.Node("or", (bm25.Node("leaf", field="text", text="finns"),
                            bm25.Node("leaf", field="text", text="saknas"),
                            bm25.Node("pattern", field="text", text="pla", how="prefix")),
                     scale=0.9)
    resolved, leaves = bm25.resolve(tree, {("text", "finns"), ("text", "plan"),
                                           ("text", "plats")},
                                    {("text", "prefix", "pla"): ["plan", "plats"]})
    assert [lf.text for lf in leaves] == ["finns", "plan", "plats"]
    assert resolved.children[1] is bm25.NULL and resolved.children[2].op == "or"
    assert bm25.compile_node(resolved).terms == 3
    assert not bm25.needs_universe(resolved)
    assert bm25.needs_universe(bm25.Node("or", (leaves[0], bm25.Node("not", (leaves[1],)))))
