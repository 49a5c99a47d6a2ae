"""tokenizer.json's Unigram tokenizer without loading its 250,000 pieces: ids as `tokenizers` gives.

The `tokenizers` library builds a trie of every XLM-R piece when it loads (300 MB, seconds);
sentencepiece a double array (60 MB, a second of CPU). A query needs a few hundred of them:
the pieces that are substrings of its words. So the pieces live in an SQLite table (made once
at set-up, onnx_export.write_pieces), a query looks up only its own substrings, and a large
batch (indexing) reads the whole table into a dict once.

Normalisation and pre-tokenisation are the `tokenizers` library's own (the precompiled nmt_nfkc
map, spaces collapsed, Metaspace words); the Viterbi search over pieces follows its
`Unigram::encode_optimized` step for step: prefixes in order of length, a strictly better
score replaces, one unknown character costs the lowest piece score minus 10, and runs of
unknown characters fuse into one <unk>.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

UNK_PENALTY = 10.0  # tokenizers' K_UNK_PENALTY
#: After this many candidate substrings looked up (one long batch, or many calls while
#: passages are split), the whole table is read into memory once (~0.3 s, ~40 MB).
DICT_FROM_CANDIDATES = 50_000
#: Words whose ids are kept (a word's ids depend on the word alone): splitting passages counts
#: the tokens of growing runs of the same text, and a corpus repeats its words, so most words
#: are looked up, not searched again (the seeds' 124 passages: 4.6× fewer Viterbi searches).
WORD_MEMO = 200_000


class UnigramTokenizer:
    """Text → XLM-R piece ids (no special tokens), exactly as tokenizer.json's pipeline."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Regex, normalizers, pre_tokenizers

        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        self.unk_id = int(meta["unk_id"])
        self.min_score = float(meta["min_score"])
        self.max_len = int(meta["max_piece_chars"])
        charsmap = base64.b64decode(meta["precompiled_charsmap"])
        self.normalizer = normalizers.Sequence([
            normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " "),
        ])
        self.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always",
                                                      split=True)
        self._all: dict[str, tuple[int, float]] | None = None
        self._looked_up = 0
        self._memo: dict[str, list[int]] = {}
        # Added tokens ("<s>", "<mask>" …) written in a text are those tokens, as in tokenizers.
        self.added = json.loads(meta.get("added_tokens", "{}"))
        self._added = re.compile("(" + "|".join(map(re.escape, self.added)) + ")") \
            if self.added else None

    def words(self, text: str) -> list[str]:
        """Normalised, Metaspace-split words ("▁Kommun", "styrelsen" … as tokenizers splits)."""
        normal = self.normalizer.normalize_str(text)
        return [w for w, _ in self.pre_tokenizer.pre_tokenize_str(normal)]

    def _pieces(self, candidates: set[str]) -> dict[str, tuple[int, float]]:
        self._looked_up += len(candidates)
        if self._all is None and self._looked_up >= DICT_FROM_CANDIDATES:
            self._all = {p: (i, s) for p, i, s in self.db.execute(
                "SELECT piece, id, score FROM pieces")}
        if self._all is not None:
            return self._all  # the Viterbi search only looks pieces up
        found: dict[str, tuple[int, float]] = {}
        items = list(candidates)
        for start in range(0, len(items), 900):  # SQLite's bound-parameter limit, portably
            part = items[start : start + 900]
            marks = ",".join("?" * len(part))
            found.update((p, (i, s)) for p, i, s in self.db.execute(
                f"SELECT piece, id, score FROM pieces WHERE piece IN ({marks})", part))
        return found

    def _segments(self, text: str) -> list[str | int]:
        """The text's words, with an added token written in it as its id."""
        parts = self._added.split(text) if self._added else [text]
        out: list[str | int] = []
        for k, part in enumerate(parts):
            if k % 2:
                out.append(self.added[part])
            elif part:
                out.extend(self.words(part))
        return out

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Piece ids of each text, without the <s> and </s> that frame it for the model."""
        split = [self._segments(t) for t in texts]
        memo = self._memo
        words = {w for ws in split for w in ws if isinstance(w, str)}
        new = words - memo.keys()
        if new:
            if len(memo) + len(new) > WORD_MEMO:
                memo.clear()
                new = words
            pieces = self._pieces(set(_substrings(new, self.max_len)))
            memo.update((w, self._viterbi(w, pieces)) for w in new)
        return [[i for w in ws for i in ([w] if isinstance(w, int) else memo[w])]
                for ws in split]

    def _viterbi(self, word: str, pieces: dict[str, tuple[int, float]]) -> list[int]:
        n = len(word)
        score = [0.0] * (n + 1)
        start: list[int | None] = [None] * (n + 1)
        ident = [0] * (n + 1)
        start[0] = 0
        unk_score = self.min_score - UNK_PENALTY
        for i in range(n):
            base = score[i]
            single = False
            for end in range(i + 1, min(n, i + self.max_len) + 1):
                hit = pieces.get(word[i:end])
                if hit is None:
                    continue
                candidate = hit[1] + base
                if start[end] is None or candidate > score[end]:
                    score[end], start[end], ident[end] = candidate, i, hit[0]
                if end == i + 1:
                    single = True
            if not single:
                candidate = unk_score + base
                if start[i + 1] is None or candidate > score[i + 1]:
                    score[i + 1], start[i + 1], ident[i + 1] = candidate, i, self.unk_id
        out: list[int] = []
        end = n
        while end > 0:
            begin = start[end]
            assert begin is not None  # every position is reachable (unk covers one char)
            if ident[end] == self.unk_id and out and out[-1] == self.unk_id:
                pass  # fuse_unk: a run of unknown characters is one <unk>
            else:
                out.append(ident[end])
            end = begin
        out.reverse()
        return out


def _substrings(words: Iterable[str], max_len: int) -> Iterable[str]:
    for w in words:
        n = len(w)
        for i in range(n):
            for end in range(i + 1, min(n, i + max_len) + 1):
                yield w[i:end]
