"""Baselines the eval compares against, built the way a tutorial would build them.

* ``NaiveLangChain``: RecursiveCharacterTextSplitter, an in-memory Chroma, the same embedding model,
  ``similarity_search(k=4)``; its top chunk is its answer and its citation.
* ``PlainBM25``: BM25 over the same chunks with jieba words and no fusion, translation or abstention.
"""

from __future__ import annotations

import time

from .documents import Document
from .embeddings import LazyEmbeddings
from .types import Answer, Citation, Passage

K = 4


def _tutorial_chunks(docs: list[Document], chunk_size: int):
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_size // 10, add_start_index=True)
    return splitter.split_documents([LCDocument(page_content=d.text, metadata={"doc_id": d.doc_id}) for d in docs])


def _as_answer(chunks, docs: dict[str, Document], started: float) -> Answer:
    passages = [
        Passage(f"b{i}", c.metadata["doc_id"], c.metadata["start_index"], c.metadata["start_index"] + len(c.page_content),
                c.page_content, 0.0, rank)
        for rank, (i, c) in enumerate(chunks)
    ]
    if not passages:
        return Answer(text="", abstained=True, mode="baseline")
    top, doc = passages[0], docs[passages[0].doc_id]
    cite = Citation(1, top.doc_id, doc.title, doc.source, top.text, top.start, top.end)
    return Answer(text=f"{top.text}[1]", citations=[cite], passages=passages, mode="baseline",
                  timings={"total_ms": (time.perf_counter() - started) * 1e3})


class NaiveLangChain:
    name = "langchain-naive"

    def __init__(self, docs: list[Document], embeddings: LazyEmbeddings, chunk_size: int):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.docs = {d.doc_id: d for d in docs}
        self.chunks = _tutorial_chunks(docs, chunk_size)
        import uuid

        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        # Ephemeral clients in one process share their collections: a name of its own keeps corpora apart.
        name = f"naive-{uuid.uuid4().hex[:12]}"
        self.store = Chroma(collection_name=name, embedding_function=embeddings, client=client)
        self.store.add_documents(self.chunks, ids=[str(i) for i in range(len(self.chunks))])

    def answer(self, question: str, *, history=None) -> Answer:
        started = time.perf_counter()
        hits = self.store.similarity_search(question, k=K)
        return _as_answer([(int(h.id), h) for h in hits], self.docs, started)


class PlainBM25:
    name = "bm25"

    def __init__(self, docs: list[Document], chunk_size: int):
        import logging

        import jieba

        from .lexical import bm25s_module

        jieba.setLogLevel(logging.WARNING)
        self.docs = {d.doc_id: d for d in docs}
        self.chunks = _tutorial_chunks(docs, chunk_size)
        self._cut = lambda text: [w.lower() for w in jieba.lcut(text) if w.strip()]
        self.bm25 = bm25s_module().BM25()
        self.bm25.index([self._cut(c.page_content) for c in self.chunks], show_progress=False)

    def answer(self, question: str, *, history=None) -> Answer:
        started = time.perf_counter()
        vocab = self.bm25.vocab_dict
        tokens = [w for w in self._cut(question) if w in vocab]
        if not tokens:
            return _as_answer([], self.docs, started)
        scores = self.bm25.get_scores(tokens)
        order = [i for i in scores.argsort()[::-1][:K] if scores[i] > 0]
        return _as_answer([(int(i), self.chunks[i]) for i in order], self.docs, started)
