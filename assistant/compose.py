"""Compose: turn chosen sentences (extractive) or verified claims (generated) into an ``Answer``."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import permutations

from .languages import language as language_of
from .lexical import LexicalIndex
from .text import Analyzer, latin
from .types import Answer, Citation, Notice, Passage, Sentence, Verified


class Composer:
    """Builds answers and citations from one loaded index."""

    def __init__(self, index: LexicalIndex, analyzer: Analyzer):
        self.index = index
        self.analyzer = analyzer

    def abstain(self, language: str, passages: list[Passage], nearest: list[Sentence] = ()) -> Answer:
        """The sources don't say; ``nearest``: the sentences that came closest, cited for the reader to judge."""
        return Answer(text=language_of(language).abstain, abstained=True, language=language, passages=passages,
                      nearest=self.quoted(list(nearest)))

    def quoted(self, sentences: list[Sentence]) -> list[Citation]:
        """The citations of ``sentences`` as quoted (neighbours on a line joined, see ``quotes``), numbered from 1."""
        return [self.citation(n, s, passage) for n, (s, passage) in enumerate(self.quotes(sentences), start=1)]

    def citation(self, n: int, sentence: Sentence, passage: tuple[str, int] | None = None) -> Citation:
        """The citation of one quote; ``passage`` (its text and start) when it is not the sentence's chunk."""
        doc = self.index.docs.get(sentence.doc_id, {})
        passage = passage or self._passage(sentence)
        return Citation(
            n=n, doc_id=sentence.doc_id, title=doc.get("title", ""), source=doc.get("source", ""), url=doc.get("url", ""),
            quote=sentence.text, start=sentence.start, end=sentence.end, outlet=doc.get("outlet", ""),
            date=doc.get("date", ""), language=doc.get("language", ""), passage=passage[0], passage_start=passage[1],
        )

    def _passage(self, sentence: Sentence) -> tuple[str, int]:
        """The text and start of the chunk the sentence was read in."""
        chunk = self.index.by_id[sentence.chunk_id]
        return chunk.text, chunk.start

    def quotes(self, sentences: list[Sentence]) -> list[tuple[Sentence, tuple[str, int]]]:
        """Each quote with its passage (text, start): sentences that follow one another on a line of a document
        are one quote, where the first of them stands (所以… after the sentence it leans on reads as one)."""
        quotes = [(s, self._passage(s)) for s in sentences]
        changed = True
        while changed:
            changed = False
            for a, b in permutations(range(len(quotes)), 2):
                both = joined(quotes[a], quotes[b])
                if both is not None:
                    quotes[min(a, b)] = both
                    del quotes[max(a, b)]
                    changed = True
                    break
        return quotes

    def extractive(self, sentences: list[Sentence], language: str, passages: list[Passage]) -> Answer:
        """The quoted sentences, each followed by its marker; Simplified questions get Simplified text."""
        citations = self.quoted(sentences)
        asked = language_of(language)
        lines = [f"{self._shown(c, asked.simplified)}[{c.n}]" for c in citations]
        chinese = [not latin(c.quote) for c in citations]  # the quote's own script (a Chinese source quotes English)
        text = (asked.joiner if all(chinese) else " ").join(lines)
        if (language == "en" and all(chinese)) or (language != "en" and not any(chinese)):
            text = f"{asked.lead}\n{text}"
        return Answer(text=text, citations=citations, language=language, passages=passages)

    def _shown(self, citation: Citation, simplified: bool) -> str:
        """The quote as the answer shows it: in Simplified script for a Simplified question, its source's outlet and
        author changing script only (``Analyzer.to_simplified``)."""
        if not simplified:
            return citation.quote
        doc = self.index.docs.get(citation.doc_id, {})
        names = re.findall(r"[\u4e00-\u9fff]{2,}", f"{doc.get('outlet', '')} {doc.get('author', '')}")
        return self.analyzer.to_simplified(citation.quote, names=tuple(names))

    def generated(self, checked: Verified, language: str, passages: list[Passage]) -> Answer:
        """The model's supported sentences, each followed by the markers of the sentences behind it."""
        numbers: dict[tuple[str, int], int] = {}
        citations, parts = [], []
        for text, support in checked.claims:
            marks = ""
            for sentence in support:
                key = (sentence.doc_id, sentence.start)
                if key not in numbers:
                    numbers[key] = len(numbers) + 1
                    citations.append(self.citation(numbers[key], sentence))
                marks += f"[{numbers[key]}]"
            parts.append(text + marks)
        dropped = checked.total - checked.supported  # unbacked; those set aside were backed
        return Answer(
            text=language_of(language).joiner.join(parts), citations=citations, language=language,
            mode="generated", notices=(Notice("unsupported-removed", str(dropped)),) if dropped else (),
            passages=passages, sentences_generated=checked.total, sentences_supported=checked.supported,
        )


def joined(first: tuple[Sentence, tuple[str, int]], second: tuple[Sentence, tuple[str, int]]):
    """``second`` right after ``first`` in the same document, nothing but spaces between them on one line: the
    two as one quote, with the union of their passages; None otherwise (or when the passages leave a gap)."""
    (a, passage_a), (b, passage_b) = first, second
    if a.doc_id != b.doc_id or not 0 <= b.start - a.end <= 2:
        return None
    (lo, lo_start), (hi, hi_start) = sorted([passage_a, passage_b], key=lambda p: p[1])
    if hi_start > lo_start + len(lo):
        return None
    text = lo + hi[lo_start + len(lo) - hi_start :]
    between = text[a.end - lo_start : b.start - lo_start]
    if a.start < lo_start or b.end > lo_start + len(text) or between.strip() or "\n" in between:
        return None
    return replace(a, end=b.end, text=text[a.start - lo_start : b.end - lo_start]), (text, lo_start)
