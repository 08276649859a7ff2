"""Verify: every generated sentence must be backed by the passage it cites, or it is dropped.

Markers are parsed, out-of-range ones dropped; each sentence's terms (with the same cross-lingual
expansion as retrieval) must be covered by sentences of its cited passages. The supporting passage
sentences become the citations, with exact offsets, as in extractive answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .chunking import sentences
from .extractive import Evidence, Sentence
from .query import QueryAnalyzer
from .types import Passage

MARKER = re.compile(r"\s*[\[［【]\s*(\d{1,2}(?:\s*[,,、]\s*\d{1,2})*)\s*[\]］】]")


@dataclass
class Claim:
    text: str
    markers: list[int]


@dataclass
class Verified:
    """Supported sentences with the passage sentences behind each, and how many were dropped."""

    claims: list[tuple[str, list[Sentence]]] = field(default_factory=list)
    total: int = 0

    @property
    def supported(self) -> int:
        return len(self.claims)


def parse_claims(reply: str) -> list[Claim]:
    """Sentences of a reply with the passage numbers each cites; markers are removed from the text."""
    claims = []
    for span in sentences(reply):
        piece = reply[span.start : span.end]
        numbers = [int(n) for group in MARKER.findall(piece) for n in re.split(r"[,,、\s]+", group) if n]
        text = MARKER.sub("", piece).strip()
        if text and re.search(r"\w", text):
            claims.append(Claim(text, numbers))
        elif claims:  # a marker after the full stop ("…。[2]") belongs to the sentence before it
            claims[-1].markers += numbers
    return claims


def verify(reply: str, passages: list[Passage], *, evidence: Evidence, queries: QueryAnalyzer,
           min_support: float) -> Verified:
    result = Verified()
    for claim in parse_claims(reply):
        result.total += 1
        cited = [passages[n - 1] for n in dict.fromkeys(claim.markers) if 1 <= n <= len(passages)]
        if not cited:
            continue
        terms = evidence.weigh(queries.terms(claim.text))
        selection = evidence.select(terms, cited, max_sentences=2)
        if selection.sentences and selection.coverage >= min_support:
            result.claims.append((claim.text, selection.sentences))
    return result
