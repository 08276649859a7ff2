"""Lexical index: BM25 (bm25s) over the analyzer's tokens, with the chunk table and translation tables.

It is the committed record of what is indexed: a query only sees chunks listed here. It is saved in a
fresh folder and then pointed to by ``current.json`` (an atomic rename), so an ingest killed half-way
leaves the previous index whole.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import os
import pickle
import shutil
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path

import numpy as np

from .errors import REBUILD, IndexDamaged
from .text import BIGRAM_MARK, is_cjk
from .types import Chunk

CHUNK_FIELDS = [f.name for f in fields(Chunk)]
log = logging.getLogger("assistant")


class _DataOnly(pickle.Unpickler):
    """Reads pickles of plain data (dicts, lists, tuples, strings, numbers) and refuses any class or function,
    so a tampered index file cannot run code when it is opened."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"the index holds {module}.{name}, not plain data")


def write_data(path: Path, value) -> None:
    """Plain data to a file: pickle reads the 86,610-chunk table in 0.1 s (``read_data``) where JSON took 0.75 s."""
    path.write_bytes(pickle.dumps(value, protocol=5))


@contextmanager
def no_gc():
    """Python's cyclic collector off while millions of tuples and lists are made (reading the 100k-chunk table
    took 0.41 s with it, 0.10 s without): they hold no cycles, and it runs as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_data(path: Path):
    with path.open("rb") as f, no_gc():
        return _DataOnly(io.BufferedReader(f)).load()


def bm25s_module():
    """bm25s, imported on first use; it sets its own logger to DEBUG at import, so quiet it again."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


@dataclass
class LexicalIndex:
    chunks: list[Chunk]
    docs: dict[str, dict]
    info: dict
    tables: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    bm25: object = None
    vectors: np.ndarray | None = None  # one unit vector per sentence, in ``sentence_texts`` order
    tokens: list[list[str]] | None = None  # each chunk's tokens, in order (kept by build; read back on demand)
    folder: Path | None = None  # where it was saved or loaded from
    # Chunks added since the main BM25 was built have a BM25 of their own (the delta), after the first
    # ``main_size`` chunks; a question reads both. None: the main BM25 holds every chunk.
    delta: object = None
    main_size: int | None = None
    delta_tokens: list[list[str]] | None = None
    main_folder: Path | None = None  # the folder whose main BM25 and tokens an extended index shares

    @classmethod
    def build(cls, chunks, docs, info, tables, tokens: list[list[str]], vectors=None) -> LexicalIndex:
        """BM25 over ``tokens`` (the analyzer's tokens of each chunk, in order). ``tables`` may be a function
        of the index's words and its ``knows``, called once BM25 has them."""
        index = cls(chunks=chunks, docs=docs, info=info, bm25=_bm25(tokens), vectors=vectors, tokens=tokens)
        return index._with_tables(tables)

    def extend(self, added: list[Chunk], tokens: list[list[str]], docs, tables, vectors) -> LexicalIndex:
        """This index plus ``added`` chunks (with their ``tokens``), without building the main BM25 again:
        the added chunks join the delta's BM25, which is rebuilt (it stays small; ingest builds everything
        again once it is not). ``tables`` as for ``build``."""
        delta_tokens = self.delta_part_tokens() + tokens
        index = LexicalIndex(chunks=self.chunks + added, docs=docs, info=self.info, bm25=self.bm25, vectors=vectors,
                             delta=_bm25(delta_tokens), main_size=self.main_count, delta_tokens=delta_tokens,
                             main_folder=self.main_folder or self.folder)
        return index._with_tables(tables)

    def _with_tables(self, tables) -> LexicalIndex:
        """This index with ``tables``, or with what ``tables(words, knows)`` builds from its words (the main and
        the delta BM25's) and its ``knows``."""
        if callable(tables):
            tables = tables(set().union(*map(vocabulary, self._vocabularies())), self.knows)
        self.tables = tables
        return self

    @property
    def main_count(self) -> int:
        """Chunks in the main BM25."""
        return len(self.chunks) if self.main_size is None else self.main_size

    @property
    def delta_size(self) -> int:
        return len(self.chunks) - self.main_count

    def delta_part_tokens(self) -> list[list[str]]:
        """The delta's chunks' tokens ([] without a delta)."""
        if self.delta is None:
            return []
        if self.delta_tokens is None and self.folder is not None:
            self.delta_tokens = read_data(self.folder / "delta-tokens.pkl")
        return list(self.delta_tokens or [])

    def chunk_tokens(self) -> dict[str, list[str]]:
        """Each chunk's tokens by chunk id, so the next ingest analyses only new chunks ({} when not kept)."""
        tokens = self.tokens
        if tokens is None and self.folder is not None:
            try:
                tokens = read_data(self.folder / "tokens.pkl") + self.delta_part_tokens()
            except (OSError, ValueError, pickle.UnpicklingError, EOFError):
                return {}
            with no_gc():
                tokens = [[sys.intern(t) for t in chunk] for chunk in tokens]  # one object per distinct token
        if tokens is None or len(tokens) != len(self.chunks):
            return {}
        return {c.id: t for c, t in zip(self.chunks, tokens)}

    @cached_property
    def sentence_texts(self) -> dict[tuple[str, int], str]:
        """The rows of ``vectors``: each distinct sentence's text by (doc_id, start)."""
        return sentence_texts(self.chunks)

    @cached_property
    def sentence_chars(self) -> int:
        """Characters of the distinct sentences (neighbouring chunks share one), without slicing their text."""
        ends = {(c.doc_id, start): end for c in self.chunks for start, end in c.sentences}
        return sum(end - start for (_, start), end in ends.items())

    @cached_property
    def sentence_keys(self) -> list[tuple[str, int]]:
        """The (doc_id, start) of each row of ``vectors``, in ``sentence_texts`` order, without slicing every
        sentence's text (opening a large index needs only these)."""
        with no_gc():
            return list(dict.fromkeys((c.doc_id, start) for c in self.chunks for start, _ in c.sentences))

    @cached_property
    def languages(self) -> set[str]:
        """The languages the sources are written in ("zh", "en"), from their metadata."""
        return {doc.get("language", "")[:2] for doc in self.docs.values()}

    def foreign(self, language: str) -> bool:
        """Whether a question in ``language`` ("en", "zh-Hant" …) is in a language no source is written in."""
        return bool(language) and language[:2] not in self.languages

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.chunks]

    @cached_property
    def by_id(self) -> dict[str, Chunk]:
        """Chunks by ID, built once per loaded index (queries look chunks up by ID)."""
        return {c.id: c for c in self.chunks}

    def docs_with(self, token: str) -> np.ndarray:
        """Positions of the chunks whose tokens include ``token`` (the BM25 matrix's postings)."""
        return self._postings(token)[0]

    @cached_property
    def characters(self) -> frozenset[str]:
        """Every character of the indexed tokens (the main and the delta BM25's vocabulary): whether the sources
        hold a Chinese character at all, inside a word or not (20 ms at 100k chunks, on first use)."""
        return frozenset().union(*("".join(words) for words in self._vocabularies()))

    def knows(self, token: str) -> bool:
        """Whether any chunk holds ``token`` (the main or the delta BM25's vocabulary)."""
        return any(token in words for words in self._vocabularies())

    def _vocabularies(self) -> list[dict]:
        """The main BM25's token dictionary, and the delta's when there is one."""
        return [self.bm25.vocab_dict] if self.delta is None else [self.bm25.vocab_dict, self.delta.vocab_dict]

    def df(self, variants) -> int:
        """Chunks that contain any of ``variants`` (a Chinese word counts where all of its character bigrams
        occur), read from the postings rather than by scanning chunks, so the cost does not grow with them."""
        found = [self._bigram_docs(v) if is_cjk(v) and len(v) > 1 else self.docs_with(v) for v in variants]
        return int(np.unique(np.concatenate(found)).size) if found else 0

    def _bigram_docs(self, word: str) -> np.ndarray:
        docs = None
        for i in range(len(word) - 1):
            hits = self.docs_with(BIGRAM_MARK + word[i : i + 2])
            docs = hits if docs is None else np.intersect1d(docs, hits, assume_unique=True)
            if not docs.size:
                break
        return np.zeros(0, dtype=np.int32) if docs is None else docs

    def scores(self, weighted_tokens: list[dict[str, float]]) -> np.ndarray:
        """BM25 of each query term, its variants (scripts, translations, bigrams) blended into one term.

        A term's score in a chunk is the IDF of the whole variant group times the best weighted
        term-frequency part among its variants, so a rare variant (an English word that occurs only
        in a bibliography line) does not outscore the common wording of the same idea.
        """
        n = len(self.chunks)
        total = np.zeros(n, dtype=np.float32)
        for variants in weighted_tokens:
            docs, parts = [], []
            for token, weight in variants.items():
                found, values = self._postings(token)
                keep = values > 0
                found, values = found[keep], values[keep]
                if found.size:
                    docs.append(found)
                    parts.append(weight * values)
            if docs:  # read from the postings only: the cost follows the matching chunks, not the corpus
                present, slot = np.unique(np.concatenate(docs), return_inverse=True)
                best = np.zeros(present.size, dtype=np.float32)
                np.maximum.at(best, slot, np.concatenate(parts).astype(np.float32))
                total[present] += idf(present.size, n) * best
        return total

    def _postings(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """The chunks holding ``token`` and its term-frequency part of BM25 in each (its score without the
        IDF), read from the main BM25 and the delta's."""
        found, parts = _segment_postings(self.bm25, token, self.main_count)
        if self.delta is not None:
            more, more_parts = _segment_postings(self.delta, token, self.delta_size)
            if more.size:
                found, parts = np.concatenate([found, more + self.main_count]), np.concatenate([parts, more_parts])
        return found, parts

    def save(self, root: Path) -> None:
        folder = root / f"v-{uuid.uuid4().hex[:12]}"
        folder.mkdir(parents=True)
        if self.main_folder is not None:  # the main BM25 and its tokens are unchanged: shared, not written again
            _link_tree(self.main_folder / "bm25", folder / "bm25")
            if (self.main_folder / "tokens.pkl").exists():
                _link(self.main_folder / "tokens.pkl", folder / "tokens.pkl")
        else:
            self.bm25.save(str(folder / "bm25"), show_progress=False)
        if self.delta is not None:
            self.delta.save(str(folder / "delta-bm25"), show_progress=False)
            write_data(folder / "delta-tokens.pkl", self.delta_tokens)
        table = {"info": self.info, "docs": self.docs, "tables": self.tables, "main_size": self.main_size,
                 "chunks": [tuple(getattr(c, f) for f in CHUNK_FIELDS) for c in self.chunks]}
        write_data(folder / "chunks.pkl", table)
        if self.vectors is not None:
            np.save(folder / "sentences.npy", self.vectors.astype(np.float16, copy=False))
        if self.tokens is not None and self.main_folder is None:  # read only by the next ingest, never when answering
            write_data(folder / "tokens.pkl", self.tokens)
        pointer = root / "current.json"
        tmp = root / f".current-{uuid.uuid4().hex[:8]}.json"
        tmp.write_text(json.dumps({"folder": folder.name}), encoding="utf-8")
        os.replace(tmp, pointer)  # the commit point
        for old in root.glob("v-*"):
            if old.name != folder.name:
                shutil.rmtree(old, ignore_errors=True)
        self.folder, self.main_folder = folder, None

    @classmethod
    def load(cls, root: Path) -> LexicalIndex | None:
        """The committed index, None when there is none, IndexDamaged when it cannot be read."""
        bm25s = bm25s_module()
        pointer = root / "current.json"
        if not pointer.exists():
            return None
        try:
            folder = root / json.loads(pointer.read_text(encoding="utf-8"))["folder"]
            if (folder / "chunks.json").exists() and not (folder / "chunks.pkl").exists():
                log.warning("the index in %s was written by an earlier version: it is built again", root)
                return None
            table = read_data(folder / "chunks.pkl")
            # Memory-mapped: opening costs no copy, and processes serving one index folder share the pages.
            bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, mmap=True)
            delta = bm25s.BM25.load(str(folder / "delta-bm25"), show_progress=False) \
                if table.get("main_size") is not None else None
            with no_gc():
                chunks = [Chunk(*row) for row in table["chunks"]]
            vectors = np.load(folder / "sentences.npy", mmap_mode="r") if (folder / "sentences.npy").exists() else None
        except (OSError, ValueError, KeyError, TypeError, EOFError, pickle.UnpicklingError) as exc:
            raise IndexDamaged(f"the lexical index in {root} is damaged ({exc}); {REBUILD}") from exc
        return cls(chunks=chunks, docs=table["docs"], info=table["info"], tables=table["tables"], bm25=bm25,
                   vectors=vectors, folder=folder, delta=delta, main_size=table.get("main_size"))


def _bm25(tokens: list[list[str]]):
    bm25 = bm25s_module().BM25()
    bm25.index([t or ["\u2205"] for t in tokens], show_progress=False)
    return bm25


def _segment_postings(bm25, token: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """One BM25's chunks holding ``token`` and the token's score in each divided by the IDF it was computed
    with (bm25s keeps the scores as a sparse matrix over ``size`` chunks)."""
    column = bm25.vocab_dict.get(token)
    if column is None:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    lo, hi = bm25.scores["indptr"][column], bm25.scores["indptr"][column + 1]
    return bm25.scores["indices"][lo:hi], bm25.scores["data"][lo:hi] / idf(hi - lo, size)


def _link(source: Path, target: Path) -> None:
    """A hard link (a copy where the file system has none)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _link_tree(source: Path, target: Path) -> None:
    target.mkdir()
    for item in source.iterdir():
        _link(item, target / item.name)


def sentence_texts(chunks: list[Chunk]) -> dict[tuple[str, int], str]:
    """What the answer step compares a question with, by meaning: each distinct sentence of the chunks
    (neighbouring chunks share one), keyed by its (doc_id, start), in chunk order. (Adding each clause of
    a long sentence as a unit of its own was measured: it raised the cosine of unanswerable questions
    as much as of answerable ones.)"""
    return {(c.doc_id, s): c.sentence_text(s, e) for c in chunks for s, e in c.sentences}


def idf(df: int, n: int) -> float:
    """BM25's (Lucene) inverse document frequency, as bm25s computes it."""
    return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))


def vocabulary(tokens) -> set[str]:
    """Words (not bigrams) among ``tokens`` (the distinct tokens of the indexed text, e.g. its BM25
    vocabulary): what dictionary translations may map to."""
    return {t for t in tokens if not t.startswith(BIGRAM_MARK) and (is_cjk(t) or t.isascii())}
