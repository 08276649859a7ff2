"""The index and everything derived from it.

``Snapshot``: the lexical index, its sentence view, the term weigher, the query analyzer and the composer,
built in one call and never changed afterwards. ``Library`` owns the index's lifecycle (the analyzer, the
vector store, ingest, opening) and swaps its snapshot in one assignment after an ingest, so an answer
that took a snapshot never mixes two indexes.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass
from functools import cached_property

from .chunking import LONG_SENTENCE
from .compose import Composer
from .crosslingual import Glossary
from .embeddings import EnglishCheck, LazyEmbeddings
from .errors import IndexMismatch
from .evidence import Evidence
from .extractive import Selection, select
from .gate import fitted_for
from .indexinfo import IndexInfo
from .ingest import IngestReport, index_lock, ingest
from .lexical import LexicalIndex
from .query import Query, QueryAnalyzer
from .retrieve import DENSE_CANDIDATES
from .settings import Settings
from .text import Analyzer
from .vectorstore import VectorStore
from .weights import TermWeights

log = logging.getLogger("assistant")


@dataclass(frozen=True)
class Snapshot:
    """One loaded index and the views built from it."""

    index: LexicalIndex
    evidence: Evidence
    weights: TermWeights
    queries: QueryAnalyzer
    composer: Composer

    @classmethod
    def of(cls, index: LexicalIndex, analyzer: Analyzer, glossary: Glossary, settings: Settings) -> Snapshot:
        return cls(index, Evidence(index, analyzer), TermWeights(index, analyzer),
                   QueryAnalyzer(analyzer, glossary, index.tables, settings.translation_weight, index.knows), Composer(index, analyzer))

    def query(self, question: str, language: str = "", carried: str = "") -> Query:
        """The question's terms, with those of ``carried`` (an earlier question) marked, weighed on this index."""
        language = language or self.queries.analyzer.script(question)
        terms = self.weights.weigh(self.queries.question_terms(question, carried=carried), question, language)
        return Query(question, language, terms, carried)

    def select(self, query: Query, passages, vector, settings: Settings) -> Selection:
        """The sentences of ``passages`` that answer ``query`` (``vector``: its embedding, or None)."""
        return select(self.evidence, query.terms, passages, settings.max_sentences, settings.min_gain,
                      settings.close_margin,
                      question=query.question, vector=vector, language=query.language,
                      sentence_chars=settings.chunk_size * LONG_SENTENCE)


def refreeze() -> None:
    """Leave the open index's tables out of the cyclic collector's full passes (gc.freeze). They hold millions
    of objects and no cycles: at 86,610 chunks each full pass took 0.15 s, the tail of a busy web app's
    answers. What an earlier freeze kept is released first, so a replaced index's cycles are still freed."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


RECHECK_S = 2.0  # how often an open library looks whether another process committed a new index


class Library:
    """The corpus's indexes for one set of settings: opened (or built) explicitly, swapped whole on ingest.
    Several processes may share one index folder: one ingests at a time (a file lock), and the others
    notice its commit (the lexical index's ``current.json``) within ``RECHECK_S`` and open the new index."""

    def __init__(self, settings: Settings, embeddings: LazyEmbeddings | None = None):
        self.settings = settings
        self.embeddings = embeddings or LazyEmbeddings(settings)
        self._lock = threading.RLock()
        self._vectors_lock = threading.Lock()
        self._preloading: threading.Thread | None = None
        self._vectors: VectorStore | None = None
        self._snapshot: Snapshot | None = None
        self._built: LexicalIndex | None = None  # committed by the last ingest, opened on the next question
        self._stamp: int | None = None  # the commit the open snapshot was loaded from
        self._checked = 0.0

    @cached_property
    def analyzer(self) -> Analyzer:
        return Analyzer(self.settings.corpus_dir / "lexicon")

    @cached_property
    def glossary(self) -> Glossary:
        return Glossary(self.analyzer)

    @cached_property
    def english_check(self) -> EnglishCheck | None:
        """all-MiniLM-L6-v2 for English answers, where the gate fitted for this encoder weighs its cosine (with
        another encoder the coverage thresholds decide, and it would load for nothing)."""
        gate = fitted_for(self.settings)
        if not self.settings.english_check or gate is None or "english_similarity" not in gate.weights:
            return None
        return EnglishCheck(self.settings)

    @property
    def vectors(self) -> VectorStore:
        with self._vectors_lock:
            if self._vectors is None:
                self._vectors = VectorStore(self.settings, self.embeddings)
            return self._vectors

    @property
    def current(self) -> Snapshot | None:
        """The open snapshot; None before ``open()`` or when another process has committed a newer index."""
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._checked > RECHECK_S:
            self._checked = time.monotonic()
            if self._commit() != self._stamp:
                log.info("another process committed a new index in %s: opening it", self.settings.index_dir)
                with self._lock:
                    if self._snapshot is snapshot:
                        self._snapshot = None
                return None
        return snapshot

    def _commit(self) -> int | None:
        """When the lexical index's commit pointer last changed (None: there is none)."""
        try:
            return (self.settings.index_dir / "lexical" / "current.json").stat().st_mtime_ns
        except OSError:
            return None

    def ingest(self, *, rebuild: bool = False, progress: bool = True) -> IngestReport:
        """Bring the index in line with the corpus folder; the next ``open()`` answers from it."""
        with self._lock, index_lock(self.settings.index_dir):
            # the current index goes to ingest alone, so that it can let it go once it is spent
            report, index = ingest(self.settings, analyzer=self.analyzer, vectors=self.vectors,
                                   current=None if rebuild else self._load(), rebuild=rebuild, progress=progress)
            self._swap(index)
            return report

    def open(self) -> Snapshot:
        """The snapshot to answer from: the index on disk, built or updated first when it is missing or was
        built with other chunking or lexicon settings."""
        if self._snapshot is None and self._preloading is None and self._commit() is not None:
            self._preload()
        with self._lock:
            if self._snapshot is None:
                index = self._built if self._built is not None else self._prepared()
                self._stamp, self._checked = self._commit(), time.monotonic()
                self._snapshot, self._built = Snapshot.of(index, self.analyzer, self.glossary, self.settings), None
                if gc.get_freeze_count():  # a long-lived process froze the tables it opened before: these too
                    refreeze()
            return self._snapshot

    def _preload(self) -> None:
        """Load the encoder and open the vector store on a side thread while this one reads the lexical index
        and loads the tokenizers: a first question waits for the slower of the two rather than their sum
        (0.3 s of a 3 s cold `assistant ask`). A failure there is left for the question itself to report."""

        def load():
            try:
                self.embeddings.embed_query("warm up")
                self.vectors
            except Exception as exc:
                log.debug("preloading the encoder and vector store failed: %s", exc)

        self._preloading = threading.Thread(target=load, name="assistant-preload", daemon=True)
        self._preloading.start()

    def _prepared(self) -> LexicalIndex:
        index = self._load()
        if index is None:
            log.warning("no index in %s yet: building it now (first use)", self.settings.index_dir)
            self.ingest()
        elif not IndexInfo.expected(self.settings, self.analyzer).check(index.info):
            log.warning("the index was built with other chunking or lexicon settings: updating it")
            self.ingest()
        else:
            return index
        return self._built

    def _load(self) -> LexicalIndex | None:
        index = LexicalIndex.load(self.settings.index_dir / "lexical")
        if index is not None:
            IndexInfo.expected(self.settings, self.analyzer).check_model(index.info.get("embedding_model"))
        return index

    def _swap(self, index: LexicalIndex) -> None:
        """The new index replaces the open snapshot in one assignment; its views are built on the next
        ``open()`` (an ingest from the command line never needs them)."""
        self._built, self._snapshot = index, None

    def dense_ranking(self, snapshot: Snapshot, vector) -> tuple[list[str], str]:
        """Chunk ids by similarity to the question's embedding ``vector``, and a notice code ("" when all went
        well). The one place the dense side degrades: a store that cannot be reached, was emptied (a deleted
        index folder is recreated empty by Chroma) or fails to search leaves lexical-only answers with a
        notice; only an index built with another model is an error."""
        if vector is None or self.settings.dense_weight <= 0:
            return [], ""
        index = snapshot.index
        try:
            hits = self.vectors.search(vector, k=min(DENSE_CANDIDATES, len(index.chunks)),
                                       dimension=index.info.get("dimension"))
        except IndexMismatch:
            raise
        except Exception as exc:  # unreachable, damaged or failing: answer from the lexical index
            log.warning("dense retrieval unavailable, answering from the lexical index alone: %s", exc)
            return [], "degraded"
        if not hits and index.chunks:  # no separate count: one round trip less, 0.3 s less at 100k chunks
            log.warning("the vector store holds no embeddings although the index lists chunks: run `assistant ingest`")
            return [], "emptied"
        return [chunk_id for chunk_id, _ in hits if chunk_id in index.by_id], ""
