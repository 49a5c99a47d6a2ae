"""Placeholder; replaced below."""
from __future__ import annotations


def split_passages(section, **kw):  # pragma: no cover
    raise NotImplementedError
