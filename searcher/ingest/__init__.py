"""Files → Document records: decoding, format readers, metadata detection and overrides."""

from __future__ import annotations

from searcher.ingest.loading import (
    SUFFIX_FORMATS,
    SUPPORTED_SUFFIXES,
    SourceFormat,
    is_supported,
    load_document,
)
from searcher.ingest.metadata import detect_meta

__all__ = [
    "SUFFIX_FORMATS",
    "SUPPORTED_SUFFIXES",
    "SourceFormat",
    "detect_meta",
    "is_supported",
    "load_document",
]
