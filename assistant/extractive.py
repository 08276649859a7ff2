"""Extract: score sentences of the retrieved passages, pick the 1–3 that answer, or decide to abstain."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import answertype
from .lexical import LexicalIndex, idf
from .query import Term
from .text import Analyzer, data_lines, is_cjk, latin
from .types import Passage

CARRIED_WEIGHT = 0.5
SINGLE_CHAR_WEIGHT = 0.5
RANK_PRIOR = 0.05
MIN_GAIN = 0.3  # default share of new question weight an extra sentence must bring
# How a term's weight follows its general-language frequency (wordfreq's Zipf scale): a word as common
# as "today" or 時候 counts for little whether or not the sources hold it; an unknown word counts fully.
COMMON_ZIPF, ZIPF_SPAN, MIN_GENERAL = 7.0, 4.0, 0.1
ABSENT_ZIPF, ABSENT_SPAN = 4.5, 2.0  # the same for a word no source holds: rare words only (Zipf < 4.5)
CHARS_PER_WORD = 2.0  # rough: about 1.6 in Chinese, 5-6 in English; only scales the chance estimate
SEMANTIC_WEIGHT = 0.5  # the question-sentence cosine's part in choosing the first sentence
CROSS_SEMANTIC = 2.0  # ... and how much more it counts when the sentence is in the other language
PIVOT_WEIGHT = 0.5  # a paraphrase's match through a shared English gloss (crosslingual.build_tables)
UNTRANSLATED_WEIGHT, RARE_ZIPF = 0.0, 3.0  # an untranslatable rare word of a question in another language
LEAD_WEIGHT = 0.5  # a term of the document's opening sentence (its subject) counts this much for its other sentences
TYPE_WEIGHT = 0.3  # the bonus for a sentence holding the kind of value asked for (a date for "when")


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
    row: int = -1  # its row in the index's sentence vectors
    english: bool = False  # written in English rather than Chinese (a Chinese source may quote English)
    meta: str = ""  # "byline" or "references": about the source, not evidence for claims about events


_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")


def normalised(text: str, analyzer: Analyzer) -> str:
    """The text as the instruction filter reads it: NFKC (full-width letters become ASCII), invisible
    characters removed, folded to Simplified, lower case."""
    import unicodedata

    return analyzer.fold(_INVISIBLE.sub("", unicodedata.normalize("NFKC", text))).lower()


def instruction_like(text: str, analyzer: Analyzer, pattern: re.Pattern | None) -> bool:
    """Whether a source sentence reads as an instruction to a language model (``injection.txt``)."""
    return bool(pattern and pattern.search(normalised(text, analyzer)))


def instruction_pattern(lexicon_dir: Path) -> re.Pattern | None:
    """One regex of the instruction-like phrases listed in ``injection.txt`` (None when there is no list)."""
    lines = [ln.strip() for ln in data_lines(lexicon_dir, "injection.txt")]
    return re.compile("|".join(f"(?:{ln})" for ln in lines), re.IGNORECASE) if lines else None


def absent_share(terms: list[Term]) -> float:
    """Share of the question's own informative weight on terms no source mentions at all."""
    own = [t for t in terms if not t.carried]
    total = sum(t.weight for t in own)
    return sum(t.weight for t in own if t.df == 0 and not t.single) / total if total else 0.0


# Headings after which a source's text is about itself: its reference list, or its notices.
_REFERENCE_HEADING = re.compile(
    r"^\s*(?:參考資料|参考资料|參考文獻|参考文献|資料來源|资料来源|延伸閱讀|延伸阅读|References|Sources|Bibliography"
    r"|Further reading)\s*[:：]?\s*$", re.IGNORECASE)
_NOTICE_HEADING = re.compile(
    r"^\s*(?:【聲明】|【声明】|聲明|声明|Disclaimer|Notice)\s*[:：]?\s*$|^\s*-{10,}\s*$", re.IGNORECASE)
MAX_REFERENCES = 5


def metadata_sections(index: LexicalIndex) -> dict[str, list[tuple[int, str]]]:
    """Per document, where each metadata section starts and its kind ("references" or "notice")."""
    sections: dict[str, list[tuple[int, str]]] = {}
    for chunk in index.chunks:
        for start, end in chunk.sentences:
            text = chunk.sentence_text(start, end)
            kind = "references" if _REFERENCE_HEADING.match(text) else "notice" if _NOTICE_HEADING.match(text) else ""
            if kind and (start, kind) not in sections.get(chunk.doc_id, []):
                sections.setdefault(chunk.doc_id, []).append((start, kind))
    return {doc: sorted(found) for doc, found in sections.items()}


def _meta_kind(sentence: Sentence, sections: dict[str, list[tuple[int, str]]], authors: dict[str, str]) -> str:
    """"references", "notice" (heading lines included), "byline" (a short line naming the author) or ""."""
    before = [kind for start, kind in sections.get(sentence.doc_id, []) if start <= sentence.start]
    if before:
        heading = any(start == sentence.start for start, _ in sections[sentence.doc_id])
        return "notice" if heading else before[-1]
    author = authors.get(sentence.doc_id, "")
    if author and author in sentence.text and len(sentence.text) <= 3 * len(author) + 40:
        return "byline"
    return ""


def general_weight(zipf: float) -> float:
    """1 for rare or unknown words, down to MIN_GENERAL for the most common ones."""
    if zipf <= 0:
        return 1.0
    return min(1.0, max(MIN_GENERAL, (COMMON_ZIPF - zipf) / ZIPF_SPAN))


def absent_weight(zipf: float, words: float) -> float:
    """How much a word no source holds counts against answering, 0..1.

    A rare word (a name, a term of art) that no source holds means the question is about something
    the sources lack. A common word's absence (本來, 打算, wrote: how readers paraphrase) says so only
    in proportion to how surely a corpus of ``words`` words would hold it by chance: 1 - exp(-expected
    occurrences), from the word's general-language frequency."""
    if zipf <= 0:
        return 1.0
    rarity = (ABSENT_ZIPF - zipf) / ABSENT_SPAN
    expected = 10 ** (zipf - 9) * words
    return min(1.0, max(0.0, rarity, 1.0 - math.exp(-expected)))


@dataclass
class Selection:
    """The chosen sentences and the signals the gate decides on."""

    sentences: list[Sentence]
    coverage: float
    absent: float = 0.0
    first_coverage: float = 0.0  # share of the question's weight the first sentence alone covers
    passage_coverage: float = 0.0  # the most any one retrieved passage covers
    typed: float = 0.0  # the question asks for a date/number/name: +1 a chosen sentence holds one, -1 none does
    agreement: float = 0.0  # how high the first sentence's passage ranks by meaning and by words (1 = top of both)
    about_source: bool = False  # answered from the byline or reference list (no gate: the metadata says so)
    similarity: float | None = None  # best cosine between the question and a chosen sentence
    cross: bool = False  # the chosen sentences are in another language than the question


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
        self.index = index
        self.analyzer = analyzer
        self.by_chunk: dict[str, list[Sentence]] = {}
        self.following: dict[tuple[str, int], Sentence] = {}  # the next sentence of the same document
        self.meta: dict[str, dict[tuple[str, int], Sentence]] = {}  # byline / references / notice sentences
        self.lead: dict[str, Sentence] = {}  # each document's opening sentence
        rows = {key: row for row, key in enumerate(index.sentence_texts)}
        injection = instruction_pattern(analyzer.lexicon_dir)
        sections = metadata_sections(index)
        authors = {doc_id: doc.get("author", "") for doc_id, doc in index.docs.items()}
        last: Sentence | None = None
        for chunk in index.chunks:
            self.by_chunk[chunk.id] = [self._sentence(chunk, s, e, injection, rows[(chunk.doc_id, s)], sections, authors)
                                       for s, e in chunk.sentences]
            for sentence in self.by_chunk[chunk.id]:
                lead = self.lead.get(sentence.doc_id)
                if not sentence.meta and (lead is None or sentence.start < lead.start):
                    self.lead[sentence.doc_id] = sentence
                if sentence.meta:
                    self.meta.setdefault(sentence.meta, {}).setdefault((sentence.doc_id, sentence.start), sentence)
                if last is not None and last.doc_id == sentence.doc_id and sentence.start >= last.end:
                    self.following.setdefault((last.doc_id, last.start), sentence)
                last = sentence
        vectors = index.vectors
        self.vectors = None if vectors is None or len(vectors) != len(rows) else vectors.astype("float32")
        # the corpus's size in words, each sentence once (neighbouring chunks share one)
        self.words = sum(map(len, index.sentence_texts.values())) / CHARS_PER_WORD

    def _sentence(self, chunk, start, end, injection, row, sections, authors) -> Sentence:
        text = chunk.sentence_text(start, end)
        sentence = Sentence(chunk.id, chunk.doc_id, start, end, text, *self._view(text, self.analyzer),
                            flagged=instruction_like(text, self.analyzer, injection), row=row, english=latin(text))
        return replace(sentence, meta=_meta_kind(sentence, sections, authors))

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

    def weigh(self, terms: list[Term], question: str = "") -> list[Term]:
        """Give each term its informativeness: IDF over chunks (the largest for a term no chunk holds)
        scaled by how rare the word is in general language, halved for terms carried from history."""
        n = len(self.index.chunks)
        terms = self._rejoin(terms, self.analyzer.fold(question)) if question else terms
        crossing = bool(question) and self.analyzer.script(question)[:2] not in self.index.languages
        for term in terms:
            term.df = self.index.df(term.variants)
            if term.df == 0:
                self._unglue(term)
            if term.df == 0:
                self._pivot(term)
            zipf = self.analyzer.zipf(term.label)
            # A lone Chinese character is rarely a word of its own in the index (jieba joins it into words
            # such as 事情, 事件): its absence as a token says nothing, so it weighs as a common word would.
            absent = 1.0 if term.proper else general_weight(zipf) if term.single else absent_weight(zipf, self.words)
            term.weight = idf(term.df, n) * (general_weight(zipf) if term.df else absent)
            term.weight *= (CARRIED_WEIGHT if term.carried else 1.0) * (SINGLE_CHAR_WEIGHT if term.single else 1.0)
            if crossing and term.df == 0 and len(term.variants) == 1 and zipf < RARE_ZIPF:
                # asked in a language no source is written in, a rare word with no translation (a name such as
                # Piketty, which the sources spell 皮凯蒂) is missing from the sources by spelling, not by fact;
                # a common one (Japan, with no 日本 in the sources) still says the sources lack it
                term.weight *= UNTRANSLATED_WEIGHT
        return terms

    def _rejoin(self, terms: list[Term], folded: str) -> list[Term]:
        """jieba cuts a name it has not seen into pieces (承/久之/乱于): neighbouring Chinese pieces whose
        join the question holds and a source holds too become one term."""
        out: list[Term] = []
        for term in terms:
            last = out[-1] if out else None
            if last is not None and is_cjk(last.label) and is_cjk(term.label) and not (last.carried or term.carried):
                joined = last.label + term.label
                weak = len(last.label) == 1 or len(term.label) == 1 or not self.index.df([last.label])
                if weak and joined in folded and self.index.df([joined]):
                    out[-1] = Term(joined, {joined: 1.0})
                    continue
            out.append(term)
        return out

    def _pivot(self, term: Term) -> None:
        """A Chinese word no source holds matches the sources' words that share an English gloss with it in
        CC-CEDICT (原先 → 原定 by "originally", 投資人 → 投資者 by "investor"), at a reduced weight; glosses
        shared by many words ("to be", "issue") are skipped (the table is built at ingest)."""
        found = self.index.tables.get("pivot", {}).get(term.label, [])
        for word in found:
            term.variants.setdefault(word, PIVOT_WEIGHT)
        if found:
            term.df = self.index.df(term.variants)

    def _unglue(self, term: Term) -> None:
        """jieba glues an unseen name to a neighbouring character (福茂于): match the name without it."""
        if not (is_cjk(term.label) and len(term.label) > 2):
            return
        for part in (term.label[:-1], term.label[1:]):
            df = self.index.df([part])
            if df:
                term.variants[part] = 1.0
                term.df = df
                return

    def select(self, terms: list[Term], passages: list[Passage], max_sentences: int, min_gain: float = MIN_GAIN,
               *, question: str = "", vector=None, language: str = "") -> Selection:
        """Greedy cover of the question's terms by sentences of the passages. The first sentence is the
        one that best carries the question (lexical gain, cosine to ``vector``, holding the kind of value
        asked for); later ones must add ``min_gain`` of new weight. A neighbour holding the asked-for
        value joins a first sentence that lacks it."""
        total = sum(t.weight for t in terms)
        if not terms or total <= 0:
            return Selection([], 0.0)
        source = answertype.about_source(question)
        if source:
            return self._about_source(source, passages)
        kind = answertype.asks(question)
        candidates, seen, passage_cover = [], {}, 0.0
        for passage in passages:
            covered = [0.0] * len(terms)
            for sentence in self.by_chunk.get(passage.chunk_id, []):
                key = (sentence.doc_id, sentence.start)
                if key not in seen:
                    seen[key] = self._hits(terms, sentence)
                    if not sentence.flagged and not sentence.meta:
                        candidates.append(Candidate(sentence, seen[key], RANK_PRIOR / (1 + passage.rank)))
                covered = [max(c, h) for c, h in zip(covered, seen[key])]
            passage_cover = max(passage_cover, sum(t.weight for t, c in zip(terms, covered) if c) / total)
        similar = self._similarities([c.sentence for c in candidates], vector)
        for candidate, sim in zip(candidates, similar):
            candidate.similarity = sim
            crossing = candidate.sentence.english != (language == "en")
            candidate.prior += SEMANTIC_WEIGHT * (CROSS_SEMANTIC if crossing else 1.0) * (sim or 0.0)
            candidate.prior += TYPE_WEIGHT * answertype.holds(kind, candidate.sentence.text, question)
        selection = _cover(terms, candidates, total, max_sentences, min_gain)
        selection.passage_coverage = passage_cover
        if selection.sentences:
            home = next(p for p in passages if p.chunk_id == selection.sentences[0].chunk_id)
            selection.agreement = sum(1 / (1 + r) for r in (home.dense_rank, home.lexical_rank) if r is not None) / 2
        self._add_neighbour(selection, kind, question, max_sentences)
        selection.absent = absent_share(terms)
        chosen = [c.similarity for c in candidates if c.sentence in selection.sentences and c.similarity is not None]
        selection.similarity = max(chosen) if chosen else None
        selection.cross = bool(selection.sentences) and all(s.english != (language == "en") for s in selection.sentences)
        if kind is not None and selection.sentences:
            selection.typed = 1.0 if any(answertype.holds(kind, s.text, question) for s in selection.sentences) else -1.0
        return selection

    def _hits(self, terms: list[Term], sentence: Sentence) -> list[float]:
        """How well the sentence matches each term; a sentence that leaves its subject unsaid (分布于…, "It
        was founded…") is read with its document's opening sentence, whose terms count at LEAD_WEIGHT."""
        own = [matches(t, sentence.folded, sentence.stems) for t in terms]
        lead = self.lead.get(sentence.doc_id)
        if lead is None or lead is sentence or LEAD_WEIGHT <= 0:
            return own
        return [max(h, LEAD_WEIGHT * matches(t, lead.folded, lead.stems)) for h, t in zip(own, terms)]

    def _about_source(self, kind: str, passages: list[Passage]) -> Selection:
        """A question about the source itself: its byline (author) or its reference list, quoted whole."""
        docs = list(dict.fromkeys(p.doc_id for p in passages)) or list(self.index.docs)
        found = [s for s in self.meta.get("byline" if kind == "author" else "references", {}).values() if s.doc_id in docs]
        chosen = self._whole_lines(sorted(found, key=lambda s: (docs.index(s.doc_id), s.start)))
        chosen = chosen[:1] if kind == "author" else chosen[:MAX_REFERENCES]
        return Selection(chosen, 1.0 if chosen else 0.0, about_source=bool(chosen))

    def _whole_lines(self, sentences: list[Sentence]) -> list[Sentence]:
        """Neighbouring sentences on one line become one (a reference entry "Title. Outlet. Date.")."""
        out: list[Sentence] = []
        for s in sentences:
            last = out[-1] if out else None
            chunk = self.index.by_id[s.chunk_id]
            if last is not None and last.chunk_id == s.chunk_id and "\n" not in chunk.sentence_text(last.end, s.start):
                out[-1] = replace(last, end=s.end, text=chunk.sentence_text(last.start, s.end))
            else:
                out.append(s)
        return out

    def _similarities(self, sentences: list[Sentence], vector) -> list[float | None]:
        """Each sentence's cosine to the question (vectors are unit length)."""
        if vector is None or self.vectors is None or not sentences:
            return [None] * len(sentences)
        import numpy as np

        return [float(x) for x in self.vectors[[s.row for s in sentences]] @ np.asarray(vector, dtype=np.float32)]

    def _add_neighbour(self, selection: Selection, kind: str | None, question: str, max_sentences: int) -> None:
        chosen = selection.sentences
        if not chosen or kind is None or len(chosen) >= max_sentences:
            return
        if any(answertype.holds(kind, s.text, question) for s in chosen):
            return
        after = self.following.get((chosen[0].doc_id, chosen[0].start))
        if after is not None and after not in chosen and answertype.holds(kind, after.text, question):
            chosen.insert(1, after)


@dataclass
class Candidate:
    sentence: Sentence
    hits: list[float]
    prior: float
    similarity: float | None = None


def _cover(terms, candidates: list[Candidate], total, max_sentences, min_gain=MIN_GAIN) -> Selection:
    chosen: list[Sentence] = []
    covered = [0.0] * len(terms)
    candidates, first = list(candidates), 0.0
    while candidates and len(chosen) < max_sentences:
        gains = [_gain(terms, c.hits, covered, total) for c in candidates]
        best = max(range(len(candidates)), key=lambda i: gains[i] + (candidates[i].prior if not chosen else 0.0))
        if chosen and gains[best] < min_gain:
            break
        picked = candidates.pop(best)
        if not chosen:  # the share of the question's weight the first sentence covers on its own
            first = sum(t.weight for t, h in zip(terms, picked.hits) if h) / total
        chosen.append(picked.sentence)
        covered = [max(c, 1.0 if h else 0.0) for c, h in zip(covered, picked.hits)]
    coverage = sum(t.weight for t, c in zip(terms, covered) if c) / total
    return Selection(chosen, coverage, first_coverage=first)


def _gain(terms: list[Term], hits: list[float], covered: list[float], total: float) -> float:
    """Share of the question's weight a sentence would newly cover (translated matches count less)."""
    return sum(t.weight * max(h - c, 0) for t, h, c in zip(terms, hits, covered)) / total
