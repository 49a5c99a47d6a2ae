"""Inflection families: every form of a Swedish word, from the Hunspell dictionary's paradigms.

`searcher mentions --forms inflected` counts "any inflection of the same word". A Snowball stem is
the wrong yardstick for counting: it merges the verb `yttra` with the noun `yttrande` (both →
`yttr`) yet splits `yttrandena` (→ `yttranden`) and `KPMGs` (no vowel: no suffix removed) from
their base forms. The dictionary that the decompounder already uses knows each lemma's suffix
rules, so the family of `yttrande` is exactly yttrande, yttrandes, yttrandet, yttrandets,
yttranden, yttrandens, yttrandena, yttrandenas. Lookup order:

| the word is …                     | its family                                               |
| --------------------------------- | -------------------------------------------------------- |
| a dictionary lemma (`yttrande`)   | that lemma's forms (not other lemmas that share a form)  |
| a form of lemmas (`yttrandet`)    | the forms of every lemma that generates it               |
| a compound (`brottsofferjouren`)  | the first parts + every form of the last part's family   |
| unknown (`KPMG`, `Videum`)        | None: matching.py falls back to genitive + Snowball stem |

Every family also holds the genitive (+s) of each form. The .dic is read once (≈ 0.1 s).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from searcher.analysis import split_compound
from searcher.analysis.lexicon import dictionary_files, suffix_rules

# Continuation flags of the compounding-only forms (linking forms such as `placerings-`).
_COMPOUNDING = frozenset("XUZW")
# Derivational suffix flags of sv_SE.aff (Växjö → växjöbo, lärare, -isk, -dels): new words, not
# inflections of this one.
_DERIVATIONAL = frozenset("deT7")
_NO_GENITIVE_AFTER = ("s", "x", "z")


@lru_cache(maxsize=1)
def _dictionary() -> tuple[str, str, dict[str, list]]:
    """(the .dic text, its lowercase copy, flag → suffix rules). Entries are found on demand by
    searching the text (≈ 1 ms a word) instead of loading 280k entries into a dict (≈ 0.5 s)."""
    aff, dic = dictionary_files()
    text = dic.read_text(encoding="utf-8")
    low = text.lower()
    if len(low) != len(text):  # a letter whose lowercase is longer: keep offsets aligned
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return text, low, suffix_rules(aff)


def _entries(roots: set[str]) -> dict[str, str]:
    """Lowercase root → its flags (homographs' flags joined), for those of `roots` in the .dic."""
    text, low, _ = _dictionary()
    needle = "\n" + os.path.commonprefix(sorted(roots))  # the lines that can hold any of them
    found: dict[str, str] = {}
    pos = low.find(needle)
    while pos != -1:
        end = low.find("\n", pos + 1)
        entry = text[pos + 1:end if end != -1 else len(text)].split(maxsplit=1)
        if entry:
            rest, _, flags = entry[0][1:].partition("/")  # a root may begin with "/"
            root = (entry[0][0] + rest).lower()
            if root in roots and "%" not in flags:  # % marks a forbidden word
                found[root] = found.get(root, "") + flags
        pos = low.find(needle, pos + 1)
    return found


def _forms(root: str, flags: str) -> set[str]:
    """The plain (non-compounding, non-derived) forms that `root` with `flags` generates."""
    rules = _dictionary()[2]
    out = set() if "¤" in flags else {root}  # ¤ = NEEDAFFIX: the bare root is no word
    for flag in dict.fromkeys(flags):
        if flag in _DERIVATIONAL:
            continue
        for strip, add, cont, cond in rules.get(flag, ()):
            if _COMPOUNDING & set(cont):
                continue
            if strip and not root.endswith(strip):
                continue
            if cond is not None and not cond.search(root):
                continue
            out.add(root[: len(root) - len(strip)] + add)
    return {f for f in out if "-" not in f}


def _dictionary_family(word: str) -> set[str] | None:
    """The forms of `word` as a lemma, else of every lemma generating it by one suffix rule."""
    rules = _dictionary()[2]
    makers: dict[str, list[tuple[str, re.Pattern[str] | None]]] = {}
    for flag, flag_rules in rules.items():
        if flag in _DERIVATIONAL:
            continue
        for strip, add, cont, cond in flag_rules:
            if _COMPOUNDING & set(cont) or not word.endswith(add) or len(word) <= len(add):
                continue
            root = word[: len(word) - len(add)] + strip
            makers.setdefault(root, []).append((flag, cond))
    entries = _entries({word, *makers})
    if word in entries:
        return _forms(word, entries[word])
    forms: set[str] = set()
    for root, flags in entries.items():
        if any(f in flags and (c is None or c.search(root)) for f, c in makers.get(root, ())):
            forms |= _forms(root, flags)
    return forms or None


@lru_cache(maxsize=4096)
def family(word: str) -> frozenset[str] | None:
    """All lowercase forms of `word`'s inflection family (with genitives), or None if unknown."""
    word = word.lower()
    if not word.isalpha():
        return None
    forms = _dictionary_family(word)
    if forms is None:
        split = split_compound(word)
        if split and "".join(s for s, _ in split) == word:
            last = split[-1][0]
            head = word[: len(word) - len(last)]
            last_forms = _dictionary_family(last)
            if last_forms is not None:
                forms = {head + f for f in last_forms}
    if forms is None:
        return None
    forms.add(word)
    forms |= {f + "s" for f in forms if not f.endswith(_NO_GENITIVE_AFTER)}
    return frozenset(forms)
