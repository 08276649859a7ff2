"""Extract: score sentences of the retrieved passages, pick the 1–3 that answer, or decide to abstain."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .lexical import LexicalIndex, idf
from .query import Term
from .text import Analyzer, data_lines, is_cjk
from .types import Passage

CARRIED_WEIGHT = 0.5
SINGLE_CHAR_WEIGHT = 0.5
RANK_PRIOR = 0.05
MIN_GAIN = 0.3  # default share of new question weight an extra sentence must bring


@dataclass(frozen=True)
class Sentence:
    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    folded: str
    stems: frozenset[str]
    flagged: bool = False


def instruction_pattern(lexicon_dir: Path) -> re.Pattern | None:
    """One regex of the instruction-like phrases listed in ``injection.txt`` (None when there is no list)."""
    lines = [ln.strip() for ln in data_lines(lexicon_dir, "injection.txt")]
    return re.compile("|".join(f"(?:{ln})" for ln in lines), re.IGNORECASE) if lines else None


def absent_share(terms: list[Term]) -> float:
    """Share of the question's own informative weight on terms no source mentions at all."""
    own = [t for t in terms if not t.carried]
    total = sum(t.weight for t in own)
    return sum(t.weight for t in own if t.df == 0) / total if total else 0.0


@dataclass
class Selection:
    sentences: list[Sentence]
    coverage: float
    absent: float = 0.0


def matches(term: Term, folded: str, stems: frozenset[str]) -> float:
    """The best weight among the term's variants found in a text (0 when none is)."""
    best = 0.0
    for variant, mult in term.variants.items():
        if mult > best and (variant in folded if is_cjk(variant) else variant in stems):
            best = mult
    return best


class Evidence:
    """Sentence-level view of the index, built once per loaded index."""

    def __init__(self, index: LexicalIndex, analyzer: Analyzer):
        self.by_chunk: dict[str, list[Sentence]] = {}
        self.chunks: list[tuple[str, frozenset[str]]] = []
        injection = instruction_pattern(analyzer.lexicon_dir)
        for chunk in index.chunks:
            self.chunks.append(self._view(chunk.text, analyzer))
            self.by_chunk[chunk.id] = [self._sentence(chunk, s, e, analyzer, injection) for s, e in chunk.sentences]

    def _sentence(self, chunk, start, end, analyzer, injection) -> Sentence:
        text = chunk.sentence_text(start, end)
        flagged = bool(injection and injection.search(text))
        return Sentence(chunk.id, chunk.doc_id, start, end, text, *self._view(text, analyzer), flagged=flagged)

    def shown_text(self, passage: Passage) -> str:
        """The passage as a language model may see it: instruction-like sentences left out."""
        flagged = [s for s in self.by_chunk.get(passage.chunk_id, []) if s.flagged]
        text = passage.text
        for s in sorted(flagged, key=lambda s: -s.start):
            text = text[: s.start - passage.start] + "[…]" + text[s.end - passage.start :]
        return text

    @staticmethod
    def _view(text: str, analyzer: Analyzer) -> tuple[str, frozenset[str]]:
        folded = analyzer.fold(text)
        return folded, frozenset(w for w in analyzer.words(folded) if not is_cjk(w))

    def weigh(self, terms: list[Term]) -> list[Term]:
        """Give each term its informativeness: IDF over chunks, halved for terms carried from history."""
        n = len(self.chunks)
        for term in terms:
            term.df = sum(1 for folded, stems in self.chunks if matches(term, folded, stems))
            term.weight = idf(term.df, n) * (CARRIED_WEIGHT if term.carried else 1.0)
            term.weight *= SINGLE_CHAR_WEIGHT if term.single else 1.0
        return terms

    def select(self, terms: list[Term], passages: list[Passage], max_sentences: int, min_gain: float = MIN_GAIN) -> Selection:
        """Greedy cover of the question's terms by sentences of the passages, best passage first on ties."""
        total = sum(t.weight for t in terms)
        if not terms or total <= 0:
            return Selection([], 0.0)
        candidates, seen = [], set()
        for passage in passages:
            for sentence in self.by_chunk.get(passage.chunk_id, []):
                if not sentence.flagged and (sentence.doc_id, sentence.start) not in seen:
                    seen.add((sentence.doc_id, sentence.start))
                    hits = [matches(t, sentence.folded, sentence.stems) for t in terms]
                    candidates.append((sentence, hits, RANK_PRIOR / (1 + passage.rank)))
        selection = self._cover(terms, candidates, total, max_sentences, min_gain)
        selection.absent = absent_share(terms)
        return selection

    @staticmethod
    def _cover(terms, candidates, total, max_sentences, min_gain=MIN_GAIN) -> Selection:
        chosen: list[Sentence] = []
        covered = [0.0] * len(terms)
        while candidates and len(chosen) < max_sentences:
            gains = [_gain(terms, hits, covered, total) for _, hits, _ in candidates]
            best = max(range(len(candidates)), key=lambda i: gains[i] + candidates[i][2])
            if chosen and gains[best] < min_gain:
                break
            sentence, hits, _ = candidates.pop(best)
            chosen.append(sentence)
            covered = [max(c, 1.0 if h else 0.0) for c, h in zip(covered, hits)]
        coverage = sum(t.weight for t, c in zip(terms, covered) if c) / total
        return Selection(chosen, coverage)


def _gain(terms: list[Term], hits: list[float], covered: list[float], total: float) -> float:
    """Share of the question's weight a sentence would newly cover (translated matches count less)."""
    return sum(t.weight * max(h - c, 0) for t, h, c in zip(terms, hits, covered)) / total
