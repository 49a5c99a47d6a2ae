"""One table of settings; precedence is CLI option > environment (SEARCHER_*) > default."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path

import platformdirs


class SearchMode(str, Enum):
    """How a query is answered."""

    hybrid = "hybrid"
    lexical = "lexical"
    semantic = "semantic"


def choices(enum: type[Enum]) -> str:
    """'a, b, c' for help texts and errors, generated from the Enum so it never drifts."""
    return ", ".join(str(m.value) for m in enum)


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: object
    help: str

    @property
    def env(self) -> str:
        return "SEARCHER_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("index_dir", "index", "Directory where the built index lives."),
    Setting("corpus_dir", "corpus", "Default folder indexed by `searcher index` without paths."),
    Setting(
        "model",
        "multilingual-e5-small-rebuilt",
        "Embedding model: the offline default, or any sentence-transformers name or path.",
    ),
    Setting("mode", SearchMode.hybrid.value, f"Default search mode ({choices(SearchMode)})."),
    Setting("limit", 10, "Default number of hits."),
    Setting("candidates", 50, "Candidates fetched per arm before fusion (over-fetch)."),
    Setting("batch_size", 16, "Passages per encoder batch when indexing."),
    Setting("cache_dir", "", "Where the rebuilt model is cached (default ~/.cache/searcher)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings: pass this around instead of module-level state."""

    index_dir: Path = Path("index")
    corpus_dir: Path = Path("corpus")
    model: str = "multilingual-e5-small-rebuilt"
    mode: str = SearchMode.hybrid.value
    limit: int = 10
    candidates: int = 50
    batch_size: int = 16
    cache_dir: str = ""

    @classmethod
    def resolve(cls, **cli: object) -> Settings:
        """CLI values (None = not given) > SEARCHER_* environment > table default."""
        values: dict[str, object] = {}
        for f in fields(cls):
            setting = _BY_NAME[f.name]
            value = cli.get(f.name)
            if value is None:
                value = os.environ.get(setting.env)
            if value is None or value == "":
                value = setting.default
            values[f.name] = _coerce(f.name, value)
        return cls(**values)  # type: ignore[arg-type]


def _coerce(name: str, value: object) -> object:
    if name in ("index_dir", "corpus_dir"):
        return Path(str(value))
    if name in ("limit", "candidates", "batch_size"):
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"setting {name} must be an integer, got {value!r}") from None
    if isinstance(value, Enum):
        return value.value
    return str(value)


def cache_root() -> Path:
    """Where searcher caches what it builds (the rebuilt model, the compound lexicon):
    $SEARCHER_CACHE_DIR if set, else the platform's user cache folder (platformdirs:
    $XDG_CACHE_HOME/searcher or ~/.cache/searcher on Linux, ~/Library/Caches/searcher on macOS)."""
    explicit = os.environ.get("SEARCHER_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    return platformdirs.user_cache_path("searcher", appauthor=False)
