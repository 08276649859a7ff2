"""Verify: every generated sentence must be backed by source sentences, or it is dropped.

A sentence is checked first against the passages its markers name, then (no marker, or a marker that
does not hold up) against every passage shown: an unmarked sentence is attributed after the fact, a
wrong marker is replaced, never kept. Backed means:
- its terms (with the same cross-lingual expansion as retrieval) are covered by the own words of one or two
  sentences (a sentence opening with "he" does not vouch for what the sentence before it says);
- every date and amount it states is stated by those sentences (2025/05/13 = 5月13日 = May 13), and every
  word it puts in quotation marks is matched by them;
- a sentence that is little more than a date or an amount is read with the question's terms, so it is
  backed only by a sentence about the asked event;
- bylines and reference lists back only questions about the source itself;
- it is written in the asker's language (a Chinese sentence in the other Chinese script is converted).
The supporting source sentences become the citations, with exact offsets, as in extractive answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .answertype import about_source
from .chunking import sentences
from .evidence import Evidence
from .extractive import select
from .facts import facts
from .query import QueryAnalyzer, Term
from .text import CJK_CHAR, latin, script
from .types import Passage, Sentence, Verified
from .weights import TermWeights

MARKER = re.compile(r"\s*[\[［【]\s*(\d{1,2}(?:\s*[,,、]\s*\d{1,2})*)\s*[\]］】]")
QUOTED = re.compile(r"[「『“\"‘]([^」』”\"’]{2,})[」』”\"’]")
MIN_OWN_TERMS = 2  # a sentence with fewer terms besides its dates and amounts is read with the question


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


def in_language(text: str, language: str, to_script) -> str | None:
    """``text`` in the asked language (a Chinese text converted to the asked script), or None when it is
    written in the other language. Text of neither (a bare date) is fine for any."""
    has_letters = bool(re.search(r"[A-Za-z]", text))
    if not has_letters and not CJK_CHAR.search(text):
        return text
    if latin(text):
        return text if language == "en" else None
    if language == "en":
        return None
    return text if script(text) == language else to_script(text, language)


class Verifier:
    """Checks a reply's sentences against the passages shown to the model, for one question."""

    def __init__(self, *, evidence: Evidence, queries: QueryAnalyzer, weights: TermWeights, min_support: float,
                 question: str = "", language: str = "", quoted: list[Sentence] = ()):
        self.evidence, self.queries, self.weights = evidence, queries, weights
        self.quoted = list(quoted)
        self.min_support = min_support
        self.language = language
        self.meta = about_source(question) is not None
        self.question_terms = weights.weigh(queries.question_terms(question), question, language) if question else []

    def support(self, text: str, pool: list[Passage]) -> list[Sentence]:
        """The source sentences of ``pool`` that back ``text`` (empty: nothing does)."""
        if text.rstrip()[-1:] in ":：":
            return []  # a lead-in ("…包括:") asserts nothing by itself
        stated = facts(text)
        own = self.weights.weigh(self.queries.terms(text), text, self.language)
        asked = {t.label for t in self.question_terms}
        if not stated and own and all(t.label in asked for t in own):
            return []  # it only restates the question
        plain = self.weights.weigh(self.queries.terms(_without_facts(text)), text, self.language)
        short = len(plain) < MIN_OWN_TERMS
        if short:  # a bare value ("2025/05/13", "黃仁勳") answers only beside the asked event
            held = [s for s in self.quoted if not stated.missing_from(facts(s.text)) and self.coverage(plain, [s]) == 1.0]
            if held and (stated or plain):
                return held[:1]  # it is in a sentence the extractive answer quotes (those passed the gate)
            own, terms = plain, _merge(self.question_terms, plain)
        else:
            terms = own
        if not terms:
            return []
        selection = select(self.evidence, terms, pool, max_sentences=1 if short else 2, meta=self.meta, context=False)
        chosen = selection.sentences
        if not chosen or selection.coverage < self.min_support:
            return []
        if short and own and self.coverage(own, chosen) < 1.0:
            return []  # "黃仁勳" beside a sentence about the question that does not name him
        if stated.missing_from(facts(" ".join(s.text for s in chosen))):
            return []
        for quote in QUOTED.findall(text):  # quotation marks claim the words: every one must be the source's
            if self.coverage(self.weights.weigh(self.queries.terms(quote), quote, self.language), chosen) < 1.0:
                return []
        return chosen

    def coverage(self, terms: list[Term], sentences: list[Sentence], context: bool = False) -> float:
        """Share of ``terms``' weight that ``sentences`` match by their own words (1.0 for no terms); with
        ``context``, read as the extractive answer reads them (antecedent, document opening)."""
        total = sum(t.weight for t in terms)
        if not total:
            return 1.0 if not terms else 0.0
        hit = [0.0] * len(terms)
        for sentence in sentences:
            hit = [max(a, b) for a, b in zip(hit, self.evidence.hits(terms, sentence, context))]
        return sum(t.weight for t, h in zip(terms, hit) if h) / total

    def answered(self, sentences: list[Sentence]) -> float:
        """How much of the question ``sentences`` speak to (as the gate's coverage does)."""
        return self.coverage(self.question_terms, sentences, context=True)


def _trim(result: Verified, verifier: Verifier, max_claims: int) -> None:
    """Keep the first ``max_claims`` backed sentences that say something new about the question: a sentence
    whose sources a kept one already cites, or whose main source (the one that backs most of it) shares no term
    with the question (unless it asks about the source itself, which its byline answers), is set aside."""
    kept, cited = [], set()
    for text, support in result.claims:
        keys = {(s.doc_id, s.start) for s in support}
        off_question = verifier.question_terms and not verifier.meta and not verifier.answered(support[:1])
        if keys <= cited or len(kept) >= max_claims or off_question:
            result.set_aside += 1
            continue
        kept.append((text, support))
        cited |= keys
    result.claims = kept


def _without_facts(text: str) -> str:
    return re.sub(r"[\d/.\-年月日號号,]+", " ", text)


def _merge(first: list[Term], second: list[Term]) -> list[Term]:
    labels = {t.label for t in first}
    return list(first) + [t for t in second if t.label not in labels]


def verify(reply: str, passages: list[Passage], *, evidence: Evidence, queries: QueryAnalyzer, weights: TermWeights,
           min_support: float, question: str = "", language: str = "", to_script=None,
           quoted: list[Sentence] = (), max_claims: int = 3) -> Verified:
    """The reply's backed sentences with their sources; markers point the search, attribution decides.
    ``quoted``: the extractive answer's sentences, whose coverage of the question the reply is held to."""
    verifier = Verifier(evidence=evidence, queries=queries, weights=weights, min_support=min_support,
                        question=question, language=language, quoted=quoted)
    result = Verified()
    for claim in parse_claims(reply):
        result.total += 1
        text = in_language(claim.text, language, to_script) if language and to_script else claim.text
        if text is None:
            result.wrong_language += 1
            continue
        cited = [passages[n - 1] for n in dict.fromkeys(claim.markers) if 1 <= n <= len(passages)]
        support = verifier.support(text, cited) if cited else []
        if not support and len(cited) < len(passages):
            support = verifier.support(text, passages)
        if support:
            result.claims.append((text, support))
    _trim(result, verifier, max_claims)
    result.coverage = verifier.answered([s for _, support in result.claims for s in support])
    result.quoted_coverage = verifier.answered(list(quoted))
    return result
