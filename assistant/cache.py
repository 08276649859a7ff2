"""A per-user cache of slow-to-build, read-only tables (the parsed CC-CEDICT senses, jieba's word tags, the
encoder's tokenizer and weights, wordfreq's frequencies), so a new process loads them instead of parsing them
again. Tables a question only looks a few words up in are SQLite files (``lookup_table``): opening one costs
nothing, where loading the whole table cost 0.1 s each.

Files live in ``$XDG_CACHE_HOME/assistant`` (default ``~/.cache/assistant``, created private), are named by
what they were built from, and are written whole or not at all. A file that cannot be read is rebuilt; a
cache that cannot be written costs time, never answers.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger("assistant")
T = TypeVar("T")


def cache_dir() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "assistant"


def cached(name: str, build: Callable[[], T], dumps: Callable[[T], bytes], loads: Callable[[bytes], T],
           replaces: str = "") -> T:
    """The value stored under ``name``, or ``build()`` stored there for next time. Once stored, other files whose names
    begin with ``replaces`` (the same table built by other versions) are removed."""
    path = cache_dir() / name
    try:
        return loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except Exception as exc:  # damaged or from another version: build it again
        log.info("rebuilding cached %s (%s)", name, exc)
    value = build()
    if _store(path, lambda partial: partial.write_bytes(dumps(value))) and replaces:
        for old in path.parent.glob(f"{replaces}*"):
            if old != path:
                old.unlink(missing_ok=True)
    return value


def _store(path: Path, write: Callable[[Path], object], errors: tuple = (OSError,)) -> bool:
    """Write a cache file whole or not at all: ``write`` fills a private partial file, which then replaces
    ``path``. False (logged) when the cache cannot be written."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        write(partial)
        os.replace(partial, path)
        return True
    except errors as exc:
        log.info("cannot cache %s (%s)", path.name, exc)
        return False


class LookupTable:
    """A read-only word → value table in an SQLite file, with a dict's ``get``; shared by threads."""

    def __init__(self, path: Path):
        import sqlite3

        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._added: dict = {}  # jieba's tagger adds user words' tags with update()
        self._db.execute("SELECT k, v FROM t LIMIT 1").fetchall()  # a damaged file fails here, not later

    def get(self, key, default=None):
        if key in self._added:
            return self._added[key]
        with self._lock:
            row = self._db.execute("SELECT v FROM t WHERE k = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def update(self, more: dict) -> None:
        self._added.update(more)

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM t").fetchone()[0] + len(self._added)


def lookup_table(name: str, build: Callable[[], dict]) -> LookupTable | dict:
    """The table stored under ``name``, or ``build()`` stored there for next time (the dict itself when the
    cache cannot be written)."""
    import sqlite3

    path = cache_dir() / name
    if path.exists():
        try:
            return LookupTable(path)
        except sqlite3.Error as exc:  # damaged or from another version: build it again
            log.info("rebuilding cached %s (%s)", name, exc)
    value = build()

    def write(partial: Path) -> None:
        with sqlite3.connect(partial) as db:
            db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v) WITHOUT ROWID")
            db.executemany("INSERT INTO t VALUES (?, ?)", value.items())
        db.close()

    if _store(path, write, (OSError, sqlite3.Error)):
        try:
            return LookupTable(path)
        except sqlite3.Error as exc:
            log.info("cannot read cached %s (%s)", name, exc)
    return value
