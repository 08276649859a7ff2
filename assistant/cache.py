"""A per-user cache of slow-to-build, read-only tables (the parsed CC-CEDICT senses, jieba's word tags, the
encoder's tokenizer), so a new process loads them instead of parsing them again.

Files live in ``$XDG_CACHE_HOME/assistant`` (default ``~/.cache/assistant``, created private), are named by
what they were built from, and are written whole or not at all. A file that cannot be read is rebuilt; a
cache that cannot be written costs time, never answers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger("assistant")
T = TypeVar("T")


def cache_dir() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "assistant"


def cached(name: str, build: Callable[[], T], dumps: Callable[[T], bytes], loads: Callable[[bytes], T]) -> T:
    """The value stored under ``name``, or ``build()`` stored there for next time."""
    path = cache_dir() / name
    try:
        return loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except Exception as exc:  # damaged or from another version: build it again
        log.info("rebuilding cached %s (%s)", name, exc)
    value = build()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f".{name}.{os.getpid()}.tmp")
        partial.write_bytes(dumps(value))
        os.replace(partial, path)
    except OSError as exc:
        log.info("cannot cache %s (%s)", name, exc)
    return value
