"""The assistant: query → retrieve → select → gate → (write → verify) → compose, over one index snapshot;
``answer()`` uses a default one."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

from . import conversation
from .crosslingual import bridge_names
from .errors import AssistantError, InvalidQuestion
from .gate import decide
from .generated import Generator, LLMUnavailable, generated_answer
from .retrieve import Retrieval, retrieve
from .settings import USE_MODEL, Settings
from .snapshot import Library, Snapshot
from .types import Answer, Notice, Passage

NEAREST_SENTENCES = 2  # shown beside an abstention when the gate came close (gate.NEAREST_CONFIDENCE)
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
    """Answers questions from the indexed corpus. Heavy parts (model, Chroma, indexes) load on first use:
    ``open()`` loads the index (building it when there is none); answering opens it when needed.

    >>> bot = Assistant(Settings(top_k=4))
    >>> bot.answer("輝達執行長是誰?").citations[0].quote  # doctest: +SKIP
    """

    def __init__(self, settings: Settings | None = None, *, embeddings=None):
        self.settings = settings or Settings()
        self.library = Library(self.settings, embeddings)

    # The library's parts, for callers and tests.
    embeddings = property(lambda self: self.library.embeddings)
    analyzer = property(lambda self: self.library.analyzer)
    glossary = property(lambda self: self.library.glossary)
    vectors = property(lambda self: self.library.vectors)

    def ingest(self, *, rebuild: bool = False, progress: bool = True):
        """Bring the index in line with the corpus folder (see ``assistant ingest``)."""
        return self.library.ingest(rebuild=rebuild, progress=progress)

    def open(self) -> Snapshot:
        """The current index snapshot; loads the index on first call (and builds it if there is none). The open
        snapshot is read without the library's lock, so questions go on while an ingest holds it."""
        return self.library.current or self.library.open()

    # The open snapshot's parts (each opens the index on first use).
    index = property(lambda self: self.open().index)
    evidence = property(lambda self: self.open().evidence)
    queries = property(lambda self: self.open().queries)
    weights = property(lambda self: self.open().weights)
    composer = property(lambda self: self.open().composer)

    def warm(self) -> None:
        """Load everything a first question would (index, model, tokenizers), so it is answered quickly."""
        self.retrieve("warm up 暖機")
        check = self.library.english_check
        if check is not None and "en" in self.index.languages:
            check.similarity("warm up", "warm up")

    def retrieve(self, question: str, *, history=None, top_k: int | None = None) -> list[Passage]:
        """The passages the answer would draw on, best first."""
        question = clean_question(question, self.settings.max_question_chars)
        conversation.check_history(history)
        snapshot = self.open()
        query = self._query(snapshot, question, history)
        return self._retrieve(snapshot, query, self._vector(query.text), top_k).passages

    def _vector(self, text: str):
        """The question's embedding, or None (lexical signals only, with a warning) when the model fails."""
        try:
            return self.embeddings.embed_query(text)
        except Exception as exc:
            log.warning("cannot embed the question, answering from lexical signals alone: %s", exc)
            return None

    def _query(self, snapshot: Snapshot, question: str, history, language: str = ""):
        carried = conversation.previous_question(history)
        if not carried or not conversation.leans_on_history(question):
            carried = ""
        return snapshot.query(question, language, carried)

    def _retrieve(self, snapshot: Snapshot, query, vector, top_k=None) -> Retrieval:
        dense, problem = self.library.dense_ranking(snapshot, vector)
        passages = retrieve(dense, query.terms, index=snapshot.index, analyzer=self.analyzer, settings=self.settings,
                            top_k=top_k, language=query.language)
        return Retrieval(passages, problem)

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
        snapshot = self.open()  # taken once: an ingest meanwhile swaps in a new one for later questions
        language = self.analyzer.script(question)
        standalone, condensing = self._standalone(question, history, mode)
        selection, found, retrieved = self._select(standalone, history if standalone == question else None, language,
                                                   snapshot)
        passages = found.passages
        verdict = decide(selection, self.settings)
        if verdict.supported:
            result = snapshot.composer.extractive(selection.sentences, language, passages)
        else:
            nearest = selection.sentences[:NEAREST_SENTENCES] if verdict.near else []
            result = snapshot.composer.abstain(language, passages, nearest)
        if mode == "generated" and not result.abstained:  # the evidence gate: no call without support
            result = yield from generated_answer(self.generator, snapshot, standalone, language, passages, result,
                                                 self.settings.min_support, selection.sentences,
                                                 self.settings.max_sentences)
        notices = tuple(Notice(code, detail) for code, detail in (condensing, (found.degraded, "")) if code)
        notices += result.notices
        timings = {"retrieve_ms": (retrieved - started) * 1e3, "total_ms": (time.perf_counter() - started) * 1e3}
        yield replace(result, notices=notices, notice=" ".join(n.text for n in notices),
                      reason=result.reason or verdict.reason, timings=timings)

    def _select(self, question: str, history, language: str, snapshot: Snapshot | None = None):
        """Retrieve passages and choose the sentences that answer: (selection, retrieval, when retrieval ended)."""
        snapshot = snapshot or self.open()
        query = self._query(snapshot, question, history, language)
        vector = self._vector(query.text)
        found = self._retrieve(snapshot, query, vector)
        retrieved = time.perf_counter()
        if vector is not None and self.settings.embedding_model == USE_MODEL:
            bridged = bridge_names(query.terms, found.passages, self.analyzer, self.embeddings.embed_documents,
                                   question)
            if bridged is not query.terms:
                query = replace(query, terms=snapshot.weights.weigh(bridged, language=query.language))
        selection = snapshot.select(query, found.passages, vector, self.settings)
        check = self.library.english_check
        if check is not None and language == "en" and selection.sentences and not selection.about_source \
                and selection.sentences[0].english:
            selection.english_similarity = check.similarity(query.text, selection.sentences[0].text)
        return selection, found, retrieved

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

    def _standalone(self, question: str, history, mode: str) -> tuple[str, tuple[str, str]]:
        """With an LLM, rewrite a follow-up as a standalone question; offline, keep it (terms are carried).
        Also (notice code, detail) when the rewrite failed, ("", "") otherwise."""
        if mode != "generated" or not history or not conversation.leans_on_history(question):
            return question, ("", "")
        try:
            return self.generator.condense(question, conversation.history_lines(history)), ("", "")
        except LLMUnavailable as exc:
            return question, ("condense-failed", str(exc))


_default: Assistant | None = None
_default_lock = threading.Lock()


def set_default_assistant(assistant: Assistant | None) -> Assistant | None:
    """Make ``assistant`` the one behind ``answer()`` (None: build one from ``Settings()`` on next use);
    returns the one it replaces. Tests and embedding applications use this hook."""
    global _default
    with _default_lock:
        previous, _default = _default, assistant
        return previous


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
