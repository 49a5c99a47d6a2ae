"""unigram.py's Viterbi search against the `tokenizers` library's Unigram model (the oracle),
on random vocabularies and words: same pieces, same tie-breaking, same fused <unk>."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import models

from searcher.semantic.unigram import UnigramTokenizer, _substrings

ALPHABET = "ab▁åx"
UNK = 0


def _tokenizer(pieces: dict[str, tuple[int, float]]) -> UnigramTokenizer:
    """A UnigramTokenizer over an in-memory table (no database, no normaliser)."""
    tok = object.__new__(UnigramTokenizer)
    tok.unk_id = UNK
    tok.min_score = min([0.0] + [s for _, s in pieces.values()])
    tok.max_len = max([1] + [len(p) for p in pieces])
    return tok


vocabularies = st.dictionaries(
    st.text(alphabet=ALPHABET[:-1], min_size=1, max_size=4),  # "x" is never a piece: <unk>
    st.sampled_from([-1.0, -2.0, -2.5, -3.0, -4.0, -7.5]),  # few values: ties happen
    min_size=1, max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(vocab=vocabularies, word=st.text(alphabet=ALPHABET, min_size=1, max_size=14))
def test_viterbi_equals_tokenizers_unigram(vocab, word):
    listed = [("<unk>", 0.0), *sorted(vocab.items())]
    oracle = models.Unigram(listed, unk_id=UNK, byte_fallback=False)
    expected = [t.id for t in oracle.tokenize(word)]
    pieces = {p: (i, s) for i, (p, s) in enumerate(listed)}
    tok = _tokenizer(pieces)
    wanted = {c: pieces[c] for c in set(_substrings([word], tok.max_len)) if c in pieces}
    assert tok._viterbi(word, wanted) == expected


def test_substrings_are_every_piece_a_word_can_hold():
    assert sorted(_substrings(["abc"], 2)) == ["a", "ab", "b", "bc", "c"]
    assert sorted(_substrings(["ab", "b"], 5)) == ["a", "ab", "b", "b"]
