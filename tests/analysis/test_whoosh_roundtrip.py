"""A small whoosh index (RamStorage) with our analyzers: the issue's queries find their sentence."""

from __future__ import annotations

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from searcher.analysis import compound_analyzer, exact_analyzer, swedish_analyzer

SENTENCES = {
    "balans": "Under året har arbetet med åtgärdsområdena i *Balans-22* förlöpt enligt plan.",
    "dnr": "§ 259 Dnr 2022-00295 Yttrande från Videum samt kommunstyrelsen gällande granskning "
           "av Växjö kommuns näringslivsarbete (KS samma dag)",
    "decoy": "Balans i budgeten 2022; 22 yrkanden om placering av medel.",
    "placering": "Utfallet beror på förändrat arbetssätt kring placeringar med minskade "
                 "placeringskostnader som resultat.",
    "servering": "Nämnden beviljar serveringstillstånd och följer upp tillsynen.",
    "temperatur": "Temperaturmätarens aggregerade utfall ligger på 4,7 och 3 000 tkr.",
}


@pytest.fixture(scope="module")
def index():
    schema = Schema(
        key=ID(stored=True),
        text=TEXT(analyzer=swedish_analyzer()),
        parts=TEXT(analyzer=compound_analyzer(), multitoken_query="and"),
        exact=TEXT(analyzer=exact_analyzer()),
    )
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        for key, sentence in SENTENCES.items():
            w.add_document(key=key, text=sentence, parts=sentence, exact=sentence)
    return ix


def _hits(ix, field: str, query: str) -> set[str]:
    q = QueryParser(field, ix.schema).parse(query)
    with ix.searcher() as s:
        return {hit["key"] for hit in s.search(q, limit=None)}


@pytest.mark.parametrize(
    ("field", "query", "expected"),
    [
        ("text", "Balans-22", {"balans"}),
        ("text", "balans-22", {"balans"}),
        ("text", "Balans22", {"balans"}),
        ("text", '"Balans 22"', {"balans"}),
        ("exact", '"Balans 22"', {"balans"}),
        ("exact", "Balans-22", {"balans"}),
        ("text", "Dnr 2022-00295", {"dnr"}),
        ("text", '"Dnr 2022-00295"', {"dnr"}),
        ("exact", "2022-0295", {"dnr"}),
        ("exact", '"§ 259"', {"dnr"}),
        ("text", "näringsliv", set()),  # the main field has no compound parts …
        ("parts", "näringsliv", {"dnr"}),  # … the compound field has
        ("parts", "placering", {"placering", "decoy"}),
        ("parts", "tillstånd servering", {"servering"}),
        ("parts", "serveringstillstånd", {"servering"}),
        ("parts", "temperatur mätare", {"temperatur"}),
        ("exact", "3000", {"temperatur"}),
        ("exact", "4,7", {"temperatur"}),
    ],
)
def test_queries_find_their_sentence(index, field: str, query: str, expected: set[str]) -> None:
    assert _hits(index, field, query) == expected


def test_schema_with_our_analyzers_survives_the_index_pickle(index, tmp_path) -> None:
    # whoosh pickles the schema (analyzers included) into the TOC; open_dir unpickles it.
    from whoosh import index as whoosh_index

    ix = whoosh_index.create_in(str(tmp_path), index.schema)
    with ix.writer() as w:
        w.add_document(key="balans", text=SENTENCES["balans"], parts=SENTENCES["balans"],
                       exact=SENTENCES["balans"])
    reopened = whoosh_index.open_dir(str(tmp_path))
    assert _hits(reopened, "text", "Balans-22") == {"balans"}
    assert _hits(reopened, "parts", "åtgärd") == {"balans"}
    toc = max(tmp_path.glob("_MAIN_*.toc"), key=lambda p: p.stat().st_size)
    assert toc.stat().st_size < 8192  # no lexicon or stem cache pickled into the schema
