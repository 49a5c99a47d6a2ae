"""The compound lexicon: Hunspell flags → begin/middle/end forms; cache round trip; read from the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.analysis.compounds import split_compound
from searcher.analysis.lexicon import (
    Lexicon,
    build_lexicon,
    load_lexicon,
    read_lexicon,
    save_lexicon,
)

AFF = """SET UTF-8
COMPOUNDBEGIN X
COMPOUNDMIDDLE U
COMPOUNDEND Y
SFX H Y 2
SFX H 0 er [^a]
SFX H 0 erna [^a]
SFX v N 2
SFX v a s/WXZ a
SFX v 0 s/WXZ [^a]
SFX f N 1
SFX f 0 s/WUZ [^a]
"""
DIC = """5
placering/vY
kostnad/HfY
temperatur/XY
mätare/Y
forbidden/%Y
"""


def _tiny(tmp_path: Path):
    aff, dic = tmp_path / "sv.aff", tmp_path / "sv.dic"
    aff.write_text(AFF, encoding="utf-8")
    dic.write_text(DIC, encoding="utf-8")
    return build_lexicon(aff, dic)


def test_flags_become_roles(tmp_path: Path) -> None:
    lex = _tiny(tmp_path)
    assert lex.begin == {"placerings": "placering", "temperatur": "temperatur"}
    assert lex.middle == {"kostnads": "kostnad"}
    assert {"kostnad", "kostnader", "kostnaderna", "placering", "mätare"} <= lex.end
    assert "forbidden" not in lex.end and "placerings" not in lex.end


def test_tiny_lexicon_splits_with_linking_s(tmp_path: Path) -> None:
    lex = _tiny(tmp_path)
    assert split_compound("placeringskostnader", lex) == (
        ("placerings", "placering"), ("kostnader", "kostnader"))
    assert split_compound("placeringskostnadsmätare", lex) == (
        ("placerings", "placering"), ("kostnads", "kostnad"), ("mätare", "mätare"))
    assert split_compound("kostnadsmätare", lex) is None  # kostnads- may only stand in the middle


def test_cache_file_round_trip(tmp_path: Path) -> None:
    lex = _tiny(tmp_path)
    path = tmp_path / "cache" / "lex.txt"
    save_lexicon(lex, path)
    assert read_lexicon(path) == lex


@pytest.mark.parametrize("lex", [
    Lexicon(begin={}, middle={}, end=frozenset()),
    Lexicon(begin={"placerings": "placering"}, middle={}, end=frozenset({"kostnad"})),
    Lexicon(begin={}, middle={"kostnads": "kostnad", "mät": "mät"}, end=frozenset()),
    Lexicon(begin={"a": "a"}, middle={"b": "b"}, end=frozenset({"c", "d"})),
])
def test_cache_file_round_trip_with_empty_sections(tmp_path: Path, lex: Lexicon) -> None:
    path = tmp_path / "lex.txt"
    save_lexicon(lex, path)
    assert read_lexicon(path) == lex


def test_a_damaged_cache_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lex.txt"
    path.write_text("#begin\na\n#end\nb", encoding="utf-8")  # no #middle
    with pytest.raises(ValueError, match="sections"):
        read_lexicon(path)


def test_real_lexicon_is_read_from_its_cache_not_rebuilt(monkeypatch) -> None:
    """The dictionary is expanded once; later processes read the cached file (how fast that is
    belongs to benchmarks, not to a timed unit test)."""
    import searcher.analysis.lexicon as lexicon_module

    first = load_lexicon()  # builds the cache file on first use
    load_lexicon.cache_clear()

    def no_rebuild(*_args):
        raise AssertionError("the lexicon was rebuilt although its cache file exists")

    monkeypatch.setattr(lexicon_module, "build_lexicon", no_rebuild)
    try:
        lex = load_lexicon()
    finally:
        load_lexicon.cache_clear()
    assert lex == first
    assert len(lex.end) > 300_000 and "placerings" in lex.begin
