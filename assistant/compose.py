"""Compose: turn chosen sentences (extractive) or verified claims (generated) into an ``Answer``."""

from __future__ import annotations

from .languages import language as language_of
from .lexical import LexicalIndex
from .text import Analyzer, latin
from .types import Answer, Citation, Notice, Passage, Sentence, Verified


class Composer:
    """Builds answers and citations from one loaded index."""

    def __init__(self, index: LexicalIndex, analyzer: Analyzer):
        self.index = index
        self.analyzer = analyzer

    @staticmethod
    def abstain(language: str, passages: list[Passage], mode: str = "extractive") -> Answer:
        return Answer(text=language_of(language).abstain, abstained=True, language=language, mode=mode, passages=passages)

    def citation(self, n: int, sentence: Sentence) -> Citation:
        doc = self.index.docs.get(sentence.doc_id, {})
        chunk = self.index.by_id[sentence.chunk_id]
        return Citation(
            n=n, doc_id=sentence.doc_id, title=doc.get("title", ""), source=doc.get("source", ""), url=doc.get("url", ""),
            quote=sentence.text, start=sentence.start, end=sentence.end, outlet=doc.get("outlet", ""),
            date=doc.get("date", ""), language=doc.get("language", ""), passage=chunk.text, passage_start=chunk.start,
        )

    def extractive(self, sentences: list[Sentence], language: str, passages: list[Passage]) -> Answer:
        """The quoted sentences, each followed by its marker; Simplified questions get Simplified text."""
        citations = [self.citation(n, s) for n, s in enumerate(sentences, start=1)]
        asked = language_of(language)
        render = self.analyzer.to_simplified if asked.simplified else str
        lines = [f"{render(c.quote)}[{c.n}]" for c in citations]
        chinese = [not latin(c.quote) for c in citations]  # the quote's own script (a Chinese source quotes English)
        text = (asked.joiner if all(chinese) else " ").join(lines)
        if (language == "en" and all(chinese)) or (language != "en" and not any(chinese)):
            text = f"{asked.lead}\n{text}"
        return Answer(text=text, citations=citations, language=language, passages=passages)

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
