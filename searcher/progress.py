"""How long-running library work reports progress without knowing about terminals.

The library calls a Progress; the CLI passes one that draws on stderr, tests pass a recorder.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def message(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


class NullProgress:
    """Reports nothing (library default)."""

    def message(self, text: str) -> None:
        pass

    def warn(self, text: str) -> None:
        pass

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


class RecordingProgress(NullProgress):
    """Keeps messages and warnings (tests, scripts)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.warnings: list[str] = []

    def message(self, text: str) -> None:
        self.messages.append(text)

    def warn(self, text: str) -> None:
        self.warnings.append(text)
