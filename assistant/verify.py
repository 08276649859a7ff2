"""Verify: every generated sentence must be backed by the passage it cites, or it is dropped.

Markers are parsed, out-of-range ones dropped; each sentence's terms (with the same cross-lingual
expansion as retrieval) must be covered by sentences of its cited passages. The supporting passage
sentences become the citations, with exact offsets, as in extractive answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .chunking import sentences
from .evidence import Evidence
from .extractive import select
from .query import QueryAnalyzer
from .types import Passage, Verified
from .weights import TermWeights

MARKER = re.compile(r"\s*[\[［【]\s*(\d{1,2}(?:\s*[,,、]\s*\d{1,2})*)\s*[\]］】]")


@dataclass
class Claim:
    text: str
    markers: list[int]


def _numbers(text: str) -> list[int]:
    return [int(n) for group in MARKER.findall(text) for n in re.split(r"[,,、\s]+", group) if n]


def parse_claims(reply: str) -> list[Claim]:
    """Sentences of a reply with the passage numbers each cites; markers are removed from the text."""
    claims = []
    for span in sentences(reply):
        piece = reply[span.start : span.end]
        lead = re.match(rf"(?:{MARKER.pattern})+", piece)
        if lead and claims:  # "…。[2] Next sentence": a marker after the full stop belongs to the sentence before
            claims[-1].markers += _numbers(lead.group())
            piece = piece[lead.end() :]
        numbers = _numbers(piece)
        text = MARKER.sub("", piece).strip()
        if text and re.search(r"\w", text):
            claims.append(Claim(text, numbers))
        elif claims:  # a marker after the full stop ("…。[2]") belongs to the sentence before it
            claims[-1].markers += numbers
    return claims


def verify(reply: str, passages: list[Passage], *, evidence: Evidence, queries: QueryAnalyzer, weights: TermWeights,
           min_support: float) -> Verified:
    result = Verified()
    for claim in parse_claims(reply):
        result.total += 1
        cited = [passages[n - 1] for n in dict.fromkeys(claim.markers) if 1 <= n <= len(passages)]
        if not cited:
            continue
        terms = weights.weigh(queries.terms(claim.text))
        selection = select(evidence, terms, cited, max_sentences=2)
        if selection.sentences and selection.coverage >= min_support:
            result.claims.append((claim.text, selection.sentences))
    return result
