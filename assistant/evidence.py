"""The sentence view of one loaded index: every sentence with its matching views, which ones are
metadata (byline, references, notices) or read as instructions to a model, each document's opening,
and the sentence vectors."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from .compose import joined
from .lexical import LexicalIndex, no_gc
from .query import Term
from .text import Analyzer, data_lines, is_cjk, latin
from .types import Passage, Sentence

# A term of the document's opening sentence (its subject) counts this much for its other sentences. 0.7 over 0.5:
# CMRC's gold answer in the quote +2 points on two leave-out draws, the other sets within a point; 1.0 cost dev.
LEAD_WEIGHT = 0.7
LIKENESS_SAMPLE = 100  # documents whose centroids ``Evidence.likeness`` compares ...
LIKENESS_SENTENCES = 8  # ... from their first sentences (reading every row of a large index takes a second)
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


# Headings after which a source's text is about itself: its reference list, or its notices.
_REFERENCE_HEADING = re.compile(
    r"^\s*(?:參考資料|参考资料|參考文獻|参考文献|資料來源|资料来源|延伸閱讀|延伸阅读|References|Sources|Bibliography"
    r"|Further reading)\s*[:：]?\s*$", re.IGNORECASE)
_NOTICE_HEADING = re.compile(
    r"^\s*(?:【聲明】|【声明】|聲明|声明|Disclaimer|Notice)\s*[:：]?\s*$|^\s*-{10,}\s*$", re.IGNORECASE)


def metadata_sections(chunks) -> list[tuple[int, str]]:
    """Where each metadata section of one document (its chunks) starts, and its kind ("references" or "notice")."""
    sections: set[tuple[int, str]] = set()
    for chunk in chunks:
        for start, end in chunk.sentences:
            text = chunk.sentence_text(start, end)
            kind = "references" if _REFERENCE_HEADING.match(text) else "notice" if _NOTICE_HEADING.match(text) else ""
            if kind:
                sections.add((start, kind))
    return sorted(sections)


def _meta_kind(sentence: Sentence, sections: list[tuple[int, str]], author: str) -> str:
    """"references", "notice" (heading lines included), "byline" (a short line naming the author) or ""."""
    before = [kind for start, kind in sections if start <= sentence.start]
    if before:
        heading = any(start == sentence.start for start, _ in sections)
        return "notice" if heading else before[-1]
    if author and author in sentence.text and len(sentence.text) <= 3 * len(author) + 40:
        return "byline"
    return ""


class _Lazy(dict):
    """A dict whose values are built on first use by ``build(key)``; ``keys()`` lists every key it may hold
    (iterating builds them all: for tests and small corpora)."""

    def __init__(self, build, keys):
        super().__init__()
        self._build, self._keys = build, keys

    def __missing__(self, key):
        value = self[key] = self._build(key)
        return value

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def values(self):
        return [self[key] for key in self._keys()]


def matches(term: Term, folded: str, stems: frozenset[str]) -> float:
    """The best weight among the term's variants found in a text (0 when none is)."""
    best = 0.0
    for variant, mult in term.variants.items():
        if mult > best and (variant in folded if is_cjk(variant) else variant in stems):
            best = mult
    return best


ANTECEDENT_WEIGHT = 1.0  # dev and the public sets: 0.5 and 1.0 both at or above 0 (eval/tune_squad.py)
# A sentence that opens with a pronoun ("他批評…", "It was…") is read with the sentence before it, which names
# whom the pronoun stands for.
PRONOUN_OPENING = re.compile(r"\s*(?:[他她它其][們们]?|該|该|此|這|这|(?:He|She|It|They|His|Her|Its|Their|This|These)\b)")
# A sentence that opens with a connective or "after that" leans on the sentence before it for its cause or its
# time (所以…, 賽後，…, "As a result, …"): quoted, the two go together (``extractive.select``).
CONNECTIVE_OPENING = re.compile(
    r"\s*(?:因此|所以|因而|於是|于是|故而|為此|为此|對此|对此|在此背景下|同年|次年|翌年|隨後|随后|其後|其后|後來|后来"
    r"|[\u4e00-\u9fff][後后][，,]"
    r"|(?:Therefore|Thus|Hence|Consequently|As a result|In response|Afterwards?|Later|The (?:next|following) year)\b)",
    re.IGNORECASE)


class Evidence:
    """Sentence-level view of one loaded index, built a chunk at a time as questions reach it (opening a large
    index must not analyse every sentence first)."""

    def __init__(self, index: LexicalIndex, analyzer: Analyzer):
        self.index = index
        self.analyzer = analyzer
        self.by_chunk = _Lazy(self._chunk_sentences, lambda: [c.id for c in index.chunks])
        self._docs = _Lazy(self._doc_chunks, lambda: list(index.docs))
        self._leads = _Lazy(self._lead, lambda: list(index.docs))
        with no_gc():
            self._rows = {key: row for row, key in enumerate(index.sentence_keys)}
        self._injection = instruction_pattern(analyzer.lexicon_dir)
        vectors = index.vectors
        self.vectors = None if vectors is None or len(vectors) != len(self._rows) else vectors  # float16 rows

    @cached_property
    def _by_doc(self) -> dict[str, list]:
        """Each document's chunks in order (one pass over the chunk list, no text analysis)."""
        grouped: dict[str, list] = {}
        for chunk in self.index.chunks:
            grouped.setdefault(chunk.doc_id, []).append(chunk)
        return {doc: sorted(chunks, key=lambda c: c.start) for doc, chunks in grouped.items()}

    def chunk_count(self, doc_id: str) -> int:
        """How many chunks the document has."""
        return len(self._by_doc.get(doc_id, ()))

    @cached_property
    def likeness(self) -> float | None:
        """How alike the documents are in what they are about: the mean cosine between the centroids of their
        opening sentences' vectors (``LIKENESS_SAMPLE`` documents spread over the corpus, at most). The public sets'
        Wikipedia articles: 0.16-0.37; the article cut into four documents: 0.52. None with fewer than two
        documents or no vectors."""
        import numpy as np

        docs = list(self._by_doc)
        if self.vectors is None or len(docs) < 2:
            return None
        chosen = set(docs[:: max(1, len(docs) // LIKENESS_SAMPLE)])
        rows: dict[str, list[int]] = {}
        for (doc, _), row in self._rows.items():
            if doc in chosen and len(rows.setdefault(doc, [])) < LIKENESS_SENTENCES:
                rows[doc].append(row)
        if len(rows) < 2:
            return None
        centroids = np.array([np.asarray(self.vectors[r], dtype=np.float32).mean(axis=0) for r in rows.values()])
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
        pairs = centroids @ centroids.T
        return float((pairs.sum() - np.trace(pairs)) / (len(centroids) * (len(centroids) - 1)))

    def _doc_chunks(self, doc_id: str) -> tuple[list[str], list[tuple[int, str]]]:
        """A document's chunk ids in order and where its metadata sections start (one scan of its text)."""
        chunks = self._by_doc.get(doc_id, [])
        return [c.id for c in chunks], metadata_sections(chunks)

    def _chunk_sentences(self, chunk_id: str) -> list[Sentence]:
        chunk = self.index.by_id[chunk_id]
        sections = self._docs[chunk.doc_id][1]
        author = self.index.docs.get(chunk.doc_id, {}).get("author", "")
        return [self._sentence(chunk, start, end, sections, author) for start, end in chunk.sentences]

    def sentences_of(self, doc_id: str):
        """A document's sentences in order (a sentence two chunks share comes once per chunk)."""
        for chunk_id in self._docs[doc_id][0]:
            yield from self.by_chunk[chunk_id]

    def lead(self, doc_id: str) -> Sentence | None:
        """The document's opening sentence (its title, or an entry's "X is a …"), metadata aside."""
        return self._leads[doc_id]

    def title_line(self, doc_id: str) -> Sentence | None:
        """The document's opening sentence when it is the title its manifest gives (None for an untitled text)."""
        lead = self.lead(doc_id)
        title = self.index.docs.get(doc_id, {}).get("title", "")
        fold = self.analyzer.fold
        return lead if lead is not None and title and fold(lead.text).strip() == fold(title).strip() else None

    def _lead(self, doc_id: str) -> Sentence | None:
        return next((s for s in self.sentences_of(doc_id) if not s.meta), None)

    def previous(self, sentence: Sentence) -> Sentence | None:
        """The sentence before it in the same document."""
        return self._neighbour(sentence, -1)

    def following(self, sentence: Sentence) -> Sentence | None:
        """The next sentence of the same document."""
        return self._neighbour(sentence, +1)

    def _neighbour(self, sentence: Sentence, step: int) -> Sentence | None:
        """Looked up in its own chunk, then in the chunk beside it: only those two are analysed."""
        chunks = self._docs[sentence.doc_id][0]
        at = chunks.index(sentence.chunk_id) if sentence.chunk_id in chunks else -1
        for position in (at, at + step):
            if not 0 <= position < len(chunks):
                continue
            found = [s for s in self.by_chunk[chunks[position]]
                     if (s.end <= sentence.start if step < 0 else s.start >= sentence.end)]
            if found:
                return found[-1] if step < 0 else found[0]
        return None

    def meta_sentences(self, kind: str, docs: list[str]) -> list[Sentence]:
        """The ``kind`` ("byline", "references", "notice") sentences of ``docs``, in document order."""
        found = {}
        for doc_id in docs:
            for s in self.sentences_of(doc_id):
                if s.meta == kind:
                    found.setdefault((s.doc_id, s.start), s)
        return list(found.values())

    def _sentence(self, chunk, start: int, end: int, sections: list[tuple[int, str]], author: str) -> Sentence:
        text = chunk.sentence_text(start, end)
        sentence = Sentence(chunk.id, chunk.doc_id, start, end, text, *self._view(text, self.analyzer),
                            flagged=instruction_like(text, self.analyzer, self._injection),
                            row=self._rows[(chunk.doc_id, start)], english=latin(text))
        return replace(sentence, meta=_meta_kind(sentence, sections, author))

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

    def hits(self, terms: list[Term], sentence: Sentence, context: bool = True) -> list[float]:
        """How well the sentence matches each term; a sentence that leaves its subject unsaid (分布于…, "It
        was founded…") is read with its document's opening sentence, whose terms count at LEAD_WEIGHT, and one
        that opens with a pronoun with the sentence before it. ``context=False``: the sentence's own words only
        (what a citation of it can vouch for)."""
        own = [matches(t, sentence.folded, sentence.stems) for t in terms]
        if not context:
            return own
        readers = [(self.lead(sentence.doc_id), LEAD_WEIGHT)]
        if PRONOUN_OPENING.match(sentence.text):
            before = self.previous(sentence)
            readers.append((before if before is not None and not before.meta else None, ANTECEDENT_WEIGHT))
        for other, weight in readers:
            if other is not None and other != sentence and weight > 0:
                own = [max(h, weight * matches(t, other.folded, other.stems)) for h, t in zip(own, terms)]
        return own

    def whole_lines(self, sentences: list[Sentence]) -> list[Sentence]:
        """Neighbouring sentences of one chunk on one line become one (a reference entry "Title. Outlet. Date."),
        joined as an answer's quotes are (``compose.joined``)."""
        out: list[tuple[Sentence, tuple[str, int]]] = []
        for s in sentences:
            chunk = self.index.by_id[s.chunk_id]
            here = (s, (chunk.text, chunk.start))
            both = joined(out[-1], here) if out and out[-1][0].chunk_id == s.chunk_id else None
            if both is None:
                out.append(here)
            else:
                out[-1] = both
        return [s for s, _ in out]

    def similarities(self, sentences: list[Sentence], vector) -> list[float | None]:
        """Each sentence's cosine to the question (vectors are unit length)."""
        if vector is None or self.vectors is None or not sentences:
            return [None] * len(sentences)
        import numpy as np

        rows = self.vectors[[s.row for s in sentences]].astype(np.float32)
        return [float(x) for x in rows @ np.asarray(vector, dtype=np.float32)]

