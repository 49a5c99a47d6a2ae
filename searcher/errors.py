"""One exception tree for the whole package; only the CLI turns these into exit codes.

Exit codes follow grep: 0 found, 1 nothing found (the CLI's own), 2 an error (usage, query or
any error without its own code below), 3 and up the index and model errors."""

from __future__ import annotations


class SearcherError(Exception):
    """Root of every error the library raises on purpose."""

    exit_code = 2


class IndexNotBuiltError(SearcherError):
    """No (complete) index in the directory: the user has to run `searcher index` first."""

    exit_code = 3


class IndexMismatchError(SearcherError):
    """The index was built with another model, analyzer or format than the one asked for."""

    exit_code = 4


class BadQueryError(SearcherError):
    """A query that cannot be parsed or run (empty, malformed syntax, unknown field)."""

    exit_code = 2


class BadInputError(SearcherError):
    """A document that cannot be read or split (binary, empty, no text layer, …)."""

    exit_code = 5


class ModelSetupError(SearcherError):
    """The embedding model cannot be found, verified or rebuilt."""

    exit_code = 6


class IndexLockedError(SearcherError):
    """Another process is writing the index."""

    exit_code = 7
