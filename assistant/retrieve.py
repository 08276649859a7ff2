"""Retrieve: dense and lexical rankings fused by weighted reciprocal rank (the dense ranking, and what to do
when its store fails, come from ``snapshot.Library.dense_ranking``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lexical import LexicalIndex
from .query import Term
from .settings import Settings
from .text import Analyzer
from .types import Passage

DENSE_CANDIDATES = 30
LEXICAL_DEPTH = 1000  # ranks fused; past it a rank adds under 1/1000 to a fused score


def lexical_ranking(index: LexicalIndex, terms: list[Term], analyzer: Analyzer) -> list[str]:
    """Chunk ids by BM25, best first (ties in index order), the first ``LEXICAL_DEPTH`` of those that match."""
    scores = index.scores([t.lexical_tokens(analyzer) for t in terms])
    matching = np.flatnonzero(scores > 0)
    if matching.size > LEXICAL_DEPTH:
        matching = matching[np.argpartition(-scores[matching], LEXICAL_DEPTH - 1)[:LEXICAL_DEPTH]]
    order = matching[np.lexsort((matching, -scores[matching]))]
    return [index.chunks[i].id for i in order]


@dataclass(frozen=True)
class Retrieval:
    """The passages for a question, best first, and why the dense side was left out (a notice code, "" when
    it was not)."""

    passages: list[Passage]
    degraded: str = ""


def fuse(rankings: list[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal-rank fusion of several rankings of chunk ids."""
    fused: dict[str, float] = {}
    for ranking, weight in rankings:
        for rank, chunk_id in enumerate(ranking):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (k + rank + 1)
    return fused


def retrieve(
    dense: list[str],
    terms: list[Term],
    *,
    index: LexicalIndex,
    analyzer: Analyzer,
    settings: Settings,
    top_k: int | None = None,
    language: str = "",
) -> list[Passage]:
    """The ``top_k`` passages for a question, best first: its ``dense`` ranking (chunk ids by similarity to
    its embedding; empty when the dense side is unavailable) fused with the lexical ranking of its terms.

    A question in a language no source is written in leans on the dense ranking (the encoder crosses
    languages; dictionary translation of its words is patchy), and so, in proportion, does a question
    whose words the sources lack (a paraphrase)."""
    crossing = index.foreign(language)
    own = [t for t in terms if not t.carried and t.df >= 0]
    missing = sum(t.df == 0 for t in own) / len(own) if own else 1.0
    # The fewer of the question's words the sources hold, the less the lexical ranking knows: lean on meaning.
    lean = 1.0 if crossing else missing
    dense_weight = settings.dense_weight + (settings.cross_dense_weight - settings.dense_weight) * lean
    lexical = lexical_ranking(index, terms, analyzer) if settings.lexical_weight > 0 else []
    fused = fuse([(dense, dense_weight), (lexical, settings.lexical_weight)], settings.rrf_k)
    best = sorted(fused, key=lambda cid: -fused[cid])[: top_k or settings.top_k]
    chunks = [index.by_id[cid] for cid in best]
    dense_at = {cid: rank for rank, cid in enumerate(dense)}
    lexical_at = {cid: rank for rank, cid in enumerate(lexical)}
    return [Passage(c.id, c.doc_id, c.start, c.end, c.text, fused[c.id], rank, dense_at.get(c.id), lexical_at.get(c.id))
            for rank, c in enumerate(chunks)]
