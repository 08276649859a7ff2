"""The assistant: one object that owns the indexes and answers questions; ``answer()`` uses a default one."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

from . import conversation
from .compose import FALLBACK_NOTICE, Composer
from .crosslingual import Glossary
from .embeddings import LazyEmbeddings
from .errors import AssistantError, IndexDamaged, IndexUnreachable, InvalidQuestion, model_mismatch
from .extractive import Evidence, Selection
from .gate import load_gate
from .generate import NOT_IN_SOURCES, Generator, LLMUnavailable
from .ingest import IngestReport, index_info, index_lock, ingest, settings_match
from .lexical import LexicalIndex
from .query import QueryAnalyzer
from .retrieve import DEGRADED, EMPTIED, Retrieval, retrieve
from .settings import Settings
from .text import Analyzer
from .types import Answer, Passage
from .vectorstore import VectorStore
from .verify import verify

log = logging.getLogger("assistant")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters and outer space; reject empty or over-long questions."""
    if not isinstance(question, str):
        raise InvalidQuestion(f"the question must be text, not {type(question).__name__}")
    text = _CONTROL.sub(" ", question).strip()
    if not text:
        raise InvalidQuestion("the question is empty: type a question about the sources")
    if len(text) > max_chars:
        raise InvalidQuestion(f"the question has {len(text)} characters; the limit is {max_chars}: shorten it")
    return text


class Assistant:
    """Answers questions from the indexed corpus. Heavy parts (model, Chroma, indexes) load on first use.

    >>> bot = Assistant(Settings(top_k=4))
    >>> bot.answer("輝達執行長是誰?").citations[0].quote  # doctest: +SKIP
    """

    def __init__(self, settings: Settings | None = None, *, embeddings: LazyEmbeddings | None = None):
        self.settings = settings or Settings()
        self.embeddings = embeddings or LazyEmbeddings(self.settings)
        self._lock = threading.RLock()
        self._vectors: VectorStore | None = None
        self._index: LexicalIndex | None = None
        self._dense_empty: bool | None = None  # checked once per loaded index

    @cached_property
    def analyzer(self) -> Analyzer:
        return Analyzer(self.settings.corpus_dir / "lexicon")

    @cached_property
    def glossary(self) -> Glossary:
        return Glossary(self.analyzer)

    @property
    def vectors(self) -> VectorStore:
        with self._lock:
            if self._vectors is None:
                self._vectors = VectorStore(self.settings, self.embeddings)
            return self._vectors

    def ingest(self, *, rebuild: bool = False, progress: bool = True) -> IngestReport:
        """Bring the index in line with the corpus folder (see ``assistant ingest``)."""
        with self._lock, index_lock(self.settings.index_dir):
            current = None if rebuild else self._load_index()
            report, index = ingest(
                self.settings, analyzer=self.analyzer, vectors=self.vectors, current=current, rebuild=rebuild, progress=progress
            )
            self._set_index(index)
            return report

    def _load_index(self) -> LexicalIndex | None:
        index = LexicalIndex.load(self.settings.index_dir / "lexical")
        if index is not None and index.info.get("embedding_model") != self.settings.model_label:
            raise model_mismatch(index.info.get("embedding_model"), self.settings.model_label)
        return index

    def _set_index(self, index: LexicalIndex) -> None:
        self._index = index
        self._dense_empty = None
        for derived in ("evidence", "queries", "composer"):
            self.__dict__.pop(derived, None)

    @property
    def index(self) -> LexicalIndex:
        with self._lock:
            if self._index is None:
                index = self._load_index()
                if index is None:
                    log.warning("no index in %s yet: building it now (first use)", self.settings.index_dir)
                    self.ingest()
                elif not settings_match(index.info, index_info(self.settings, self.analyzer)):
                    log.warning("the index was built with other chunking or lexicon settings: updating it")
                    self.ingest()
                else:
                    self._set_index(index)
            return self._index

    def warm(self) -> None:
        """Load everything a first question would (index, model, tokenizers), so it is answered quickly."""
        self.retrieve("warm up 暖機")

    @cached_property
    def composer(self) -> Composer:
        return Composer(self.index, self.analyzer)

    @cached_property
    def evidence(self) -> Evidence:
        return Evidence(self.index, self.analyzer)

    @cached_property
    def queries(self) -> QueryAnalyzer:
        return QueryAnalyzer(self.analyzer, self.glossary, self.index.tables, self.settings.translation_weight)

    def retrieve(self, question: str, *, history=None, top_k: int | None = None) -> list[Passage]:
        """The passages the answer would draw on, best first."""
        question = clean_question(question, self.settings.max_question_chars)
        conversation.check_history(history)
        query, terms = self._understand(question, history)
        return self._retrieve(self._vector(query), terms, top_k, language=self.analyzer.script(question)).passages

    def _vector(self, query: str):
        """The question's embedding, or None (lexical signals only, with a warning) when the model fails."""
        try:
            return self.embeddings.embed_query(query)
        except Exception as exc:
            log.warning("cannot embed the question, answering from lexical signals alone: %s", exc)
            return None

    def _understand(self, question: str, history):
        carried = conversation.previous_question(history)
        if not carried or not conversation.leans_on_history(question):
            carried = ""
        terms = self.evidence.weigh(self.queries.terms(question, carried=carried), question)
        return (f"{carried} {question}".strip(), terms)

    def _retrieve(self, vector, terms, top_k=None, language: str = "") -> Retrieval:
        store, problem = self._dense_or_none()
        found = retrieve(
            vector, terms, index=self.index, vectors=store, analyzer=self.analyzer, settings=self.settings,
            top_k=top_k, language=language,
        )
        return Retrieval(found.passages, problem or found.degraded)

    def _dense_or_none(self) -> tuple[VectorStore | None, str]:
        """The dense store, or None and a notice (lexical-only answers) when it cannot be reached or was
        emptied (a deleted index folder is recreated empty by Chroma)."""
        if self.settings.dense_weight <= 0:
            return None, ""
        try:
            store = self.vectors
            if self._dense_empty is None:
                self._dense_empty = bool(self.index.chunks) and store.count() == 0
        except (IndexDamaged, IndexUnreachable) as exc:
            log.warning("dense retrieval unavailable, answering from the lexical index alone: %s", exc)
            return None, DEGRADED
        if self._dense_empty:
            log.warning("the vector store holds no embeddings although the index lists chunks: run `assistant ingest`")
            return None, EMPTIED
        return store, ""

    def answer(self, question: str, *, history=None, mode: str | None = None) -> Answer:
        """Answer ``question`` from the sources, every sentence cited, or abstain.

        ``mode`` is "extractive" (quoted sentences, offline) or "generated" (an LLM writes, citations
        verified); by default "generated" when ``ASSISTANT_LLM_BASE_URL`` is set.
        """
        result = None
        for item in self.stream(question, history=history, mode=mode):
            result = item
        return result

    def stream(self, question: str, *, history=None, mode: str | None = None) -> Iterator[str | Answer]:
        """Yield pieces of text while a language model writes, then the final ``Answer``."""
        started = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        conversation.check_history(history)
        mode = self._mode(mode)
        language = self.analyzer.script(question)
        standalone, notice = self._standalone(question, history, mode)
        selection, found, retrieved = self._select(standalone, history if standalone == question else None, language)
        passages = found.passages
        result = self._compose(selection, language, passages)
        if mode == "generated" and not result.abstained:  # the evidence gate: no call without support
            result = yield from self._generate(standalone, language, passages, result)
        result.notice = " ".join(filter(None, [notice, found.degraded, result.notice]))
        result.timings = {"retrieve_ms": (retrieved - started) * 1e3, "total_ms": (time.perf_counter() - started) * 1e3}
        yield result

    def _select(self, question: str, history, language: str):
        """Retrieve passages and choose the sentences that answer: (selection, retrieval, when retrieval ended)."""
        query, terms = self._understand(question, history)
        vector = self._vector(query)
        found = self._retrieve(vector, terms, language=language)
        retrieved = time.perf_counter()
        selection = self.evidence.select(terms, found.passages, self.settings.max_sentences, self.settings.min_gain,
                                         question=question, vector=vector, language=language)
        return selection, found, retrieved

    def confident(self, selection: Selection) -> bool:
        """The gate: the fitted model over the selection's signals, or the coverage thresholds without it."""
        if not selection.sentences:
            return False
        if selection.about_source:  # the byline or reference list: the source's own metadata says so
            return True
        gate = load_gate()
        if gate is None or selection.similarity is None or gate.model != self.settings.model_label:
            return selection.coverage >= self.settings.min_coverage and selection.absent <= self.settings.max_absent
        threshold = self.settings.min_confidence if self.settings.min_confidence is not None else gate.threshold
        return gate.confidence(selection) >= threshold

    def _mode(self, mode: str | None) -> str:
        if mode is None:
            return "generated" if self.settings.llm_base_url else "extractive"
        if mode not in ("extractive", "generated"):
            raise AssistantError(f"mode must be 'extractive' or 'generated', not {mode!r}")
        if mode == "generated" and not self.settings.llm_base_url:
            raise AssistantError("no language model configured: set ASSISTANT_LLM_BASE_URL (or use mode='extractive')")
        return mode

    @cached_property
    def generator(self) -> Generator:
        return Generator(self.settings)

    def _standalone(self, question: str, history, mode: str) -> tuple[str, str]:
        """With an LLM, rewrite a follow-up as a standalone question; offline, keep it (terms are carried)."""
        if mode != "generated" or not history or not conversation.leans_on_history(question):
            return question, ""
        try:
            return self.generator.condense(question, conversation.history_lines(history)), ""
        except LLMUnavailable as exc:
            return question, str(exc)

    def _generate(self, question: str, language: str, passages: list[Passage], fallback: Answer):
        pieces: list[str] = []
        try:
            shown = [self.evidence.shown_text(p) for p in passages]
            for piece in self.generator.stream(question, shown, language):
                pieces.append(piece)
                yield piece
        except LLMUnavailable as exc:
            return replace(fallback, notice=f"{exc}; {FALLBACK_NOTICE}")
        reply = "".join(pieces).strip()
        if NOT_IN_SOURCES in reply:
            return self.composer.abstain(language, passages, mode="generated")
        checked = verify(reply, passages, evidence=self.evidence, queries=self.queries, min_support=self.settings.min_support)
        if not checked.claims:
            return replace(fallback, notice=f"no generated sentence was supported by its sources; {FALLBACK_NOTICE}",
                           sentences_generated=checked.total)
        return self.composer.generated(checked, language, passages)

    def _compose(self, selection: Selection, language: str, passages: list[Passage]) -> Answer:
        if not self.confident(selection):
            return self.composer.abstain(language, passages)
        return self.composer.extractive(selection.sentences, language, passages)


_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant() -> Assistant:
    """The shared assistant behind ``answer()``, built from ``Settings()`` on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Assistant()
        return _default


def answer(question: str, *, history=None, mode: str | None = None) -> Answer:
    """Answer a question about the export-control sources, with citations.

    >>> from assistant import answer
    >>> a = answer("美國商務部何時撤銷AI擴散規則?")  # doctest: +SKIP
    >>> a.citations[0].quote  # doctest: +SKIP
    '美國商務部於5月13日正式撤銷了拜登政府在卸任前訂立的AI晶片出口管制規定。'
    """
    return default_assistant().answer(question, history=history, mode=mode)
