"""Retrieve: dense and lexical rankings fused by weighted reciprocal rank."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .errors import IndexMismatch
from .lexical import LexicalIndex
from .query import Term
from .settings import Settings
from .text import Analyzer
from .types import Passage
from .vectorstore import VectorStore

log = logging.getLogger("assistant")
DENSE_CANDIDATES = 30


def lexical_ranking(index: LexicalIndex, terms: list[Term], analyzer: Analyzer) -> list[str]:
    scores = index.scores([t.lexical_tokens(analyzer) for t in terms])
    order = np.argsort(-scores, kind="stable")
    return [index.chunks[i].id for i in order if scores[i] > 0]


EMPTIED = "answered from the keyword index alone: the vector store is empty, run `assistant ingest` · 向量索引是空的,請執行 assistant ingest"
DEGRADED = "answered from the keyword index alone: the vector store is unavailable · 向量索引無法使用,僅以關鍵詞索引回答"


@dataclass(frozen=True)
class Retrieval:
    """The passages for a question, best first, and why the dense side was left out ("" when it was not)."""

    passages: list[Passage]
    degraded: str = ""


def dense_ranking(vectors: VectorStore | None, vector, index: LexicalIndex) -> tuple[list[str], str]:
    """Chunk ids by similarity to the question's embedding, and what went wrong ("" when nothing did);
    a failing dense side degrades to lexical-only retrieval with a warning."""
    if vectors is None or vector is None:
        return [], ""
    try:
        hits = vectors.search(vector, k=min(DENSE_CANDIDATES, len(index.chunks)), dimension=index.info.get("dimension"))
    except IndexMismatch:
        raise
    except Exception as exc:  # a broken dense side degrades to lexical-only retrieval
        log.warning("dense retrieval unavailable, using lexical only: %s", exc)
        return [], DEGRADED
    return [chunk_id for chunk_id, _ in hits if chunk_id in index.by_id], ""


def fuse(rankings: list[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal-rank fusion of several rankings of chunk ids."""
    fused: dict[str, float] = {}
    for ranking, weight in rankings:
        for rank, chunk_id in enumerate(ranking):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (k + rank + 1)
    return fused


def retrieve(
    vector,
    terms: list[Term],
    *,
    index: LexicalIndex,
    vectors: VectorStore | None,
    analyzer: Analyzer,
    settings: Settings,
    top_k: int | None = None,
    language: str = "",
) -> Retrieval:
    """The ``top_k`` passages for a question (its embedding ``vector`` and its terms), best first.

    A question in a language no source is written in leans on the dense ranking (the encoder crosses
    languages; dictionary translation of its words is patchy), and so, in proportion, does a question
    whose words the sources lack (a paraphrase)."""
    crossing = bool(language) and language[:2] not in index.languages
    own = [t for t in terms if not t.carried and t.df >= 0]
    missing = sum(t.df == 0 for t in own) / len(own) if own else 1.0
    # The fewer of the question's words the sources hold, the less the lexical ranking knows: lean on meaning.
    lean = 1.0 if crossing else missing
    dense_weight = settings.dense_weight + (settings.cross_dense_weight - settings.dense_weight) * lean
    dense, problem = dense_ranking(vectors, vector, index) if dense_weight > 0 else ([], "")
    lexical = lexical_ranking(index, terms, analyzer) if settings.lexical_weight > 0 else []
    fused = fuse([(dense, dense_weight), (lexical, settings.lexical_weight)], settings.rrf_k)
    best = sorted(fused, key=lambda cid: -fused[cid])[: top_k or settings.top_k]
    chunks = [index.by_id[cid] for cid in best]
    dense_at = {cid: rank for rank, cid in enumerate(dense)}
    lexical_at = {cid: rank for rank, cid in enumerate(lexical)}
    passages = [Passage(c.id, c.doc_id, c.start, c.end, c.text, fused[c.id], rank, dense_at.get(c.id),
                        lexical_at.get(c.id)) for rank, c in enumerate(chunks)]
    return Retrieval(passages, problem)
