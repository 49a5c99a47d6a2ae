"""Search engine for Swedish municipal texts: protocols and reports, lexical + semantic."""

from __future__ import annotations

__version__ = "0.1.0"
