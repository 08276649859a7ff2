"""Extract: choose the 1–3 sentences of the retrieved passages that answer, with the signals the gate decides on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import answertype
from .evidence import CONNECTIVE_OPENING, PRONOUN_OPENING, Evidence
from .query import Term
from .types import Passage, Sentence
from .weights import absent_share

RANK_PRIOR = 0.05
MIN_GAIN = 0.3  # default share of new question weight an extra sentence must bring
SEMANTIC_WEIGHT = 0.5  # the question-sentence cosine's part in choosing the first sentence
CROSS_SEMANTIC = 2.0  # ... and how much more it counts when the sentence is in the other language
MAX_REFERENCES = 5  # most reference-list entries quoted for "which reports are cited"
TYPE_WEIGHT = 0.3  # the bonus for a sentence holding the kind of value asked for (a date for "when")
CLOSE_MARGIN = 0.1  # a runner-up scoring within this of the first sentence is quoted too
LEAD_REST = 0.5  # a sentence found beyond the retrieved passages must hold this share of what the opening left asked
ALIKE = 0.45  # documents whose centroids are this alike on average are one subject (see Evidence.likeness)


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
    # share of the retrieved passages from the first sentence's document, beyond chance (None: says nothing)
    concentration: float | None = None
    about_source: bool = False  # answered from the byline or reference list (no gate: the metadata says so)
    similarity: float | None = None  # best cosine between the question and a chosen sentence
    cross: bool = False  # the chosen sentences are in another language than the question
    english_similarity: float | None = None  # question and first sentence both English: EnglishCheck's cosine
    runner_up: Sentence | None = None  # scored within close_margin of the first sentence: quoted too


def select(evidence: Evidence, terms: list[Term], passages: list[Passage], max_sentences: int, min_gain: float = MIN_GAIN,
           close_margin: float = CLOSE_MARGIN, *, question: str = "", vector=None, language: str = "", meta: bool = False,
           context: bool = True, sentence_chars: int = 0) -> Selection:
    """Greedy cover of the question's terms by sentences of the passages. The first sentence is the
    one that best carries the question (lexical gain, cosine to ``vector``, holding the kind of value
    asked for); later ones must add ``min_gain`` of new weight. A neighbour holding the asked-for
    value joins a first sentence that lacks it. Bylines and reference lists are candidates only with ``meta``;
    ``context=False`` matches sentences by their own words only (see ``Evidence.hits``), and quotes no sentence
    for what the first leans on."""
    source = answertype.about_source(question)
    if source:
        found = _about_source(evidence, source, passages)
        if found.sentences:
            return found  # else a corpus with no byline or reference list: 雅各書的作者是誰? asks what its sources say
    total = sum(t.weight for t in terms)
    if not terms or total <= 0:
        return Selection([], 0.0)
    kind = answertype.asks(question)
    candidates, seen, passage_cover = [], {}, 0.0
    for passage in passages:
        covered = [0.0] * len(terms)
        for sentence in evidence.by_chunk.get(passage.chunk_id, []):
            key = (sentence.doc_id, sentence.start)
            if key not in seen:
                seen[key] = evidence.hits(terms, sentence, context)
                if not sentence.flagged and (meta or not sentence.meta):
                    candidates.append(Candidate(sentence, seen[key], RANK_PRIOR / (1 + passage.rank)))
            covered = [max(c, h) for c, h in zip(covered, seen[key])]
        passage_cover = max(passage_cover, sum(t.weight for t, c in zip(terms, covered) if c) / total)
    similar = evidence.similarities([c.sentence for c in candidates], vector)
    for candidate, sim in zip(candidates, similar):
        candidate.similarity = sim
        crossing = candidate.sentence.english != (language == "en")
        candidate.prior += SEMANTIC_WEIGHT * (CROSS_SEMANTIC if crossing else 1.0) * (sim or 0.0)
        candidate.prior += TYPE_WEIGHT * _holds(evidence, kind, candidate.sentence, question)
    selection = _cover(terms, candidates, total, max_sentences, min_gain, close_margin)
    selection.passage_coverage = passage_cover
    if selection.sentences:
        home = next(p for p in passages if p.chunk_id == selection.sentences[0].chunk_id)
        selection.agreement = sum(1 / (1 + r) for r in (home.dense_rank, home.lexical_rank) if r is not None) / 2
        selection.concentration = concentration(evidence, passages, home.doc_id)
    _add_neighbour(evidence, selection, kind, question, max_sentences)
    selection.absent = absent_share(terms)
    chosen = [c.similarity for c in candidates if c.sentence in selection.sentences and c.similarity is not None]
    selection.similarity = max(chosen) if chosen else None
    selection.cross = bool(selection.sentences) and all(s.english != (language == "en") for s in selection.sentences)
    if kind is not None and selection.sentences:
        selection.typed = 1.0 if any(_holds(evidence, kind, s, question) for s in selection.sentences) else -1.0
    _quote_runner_up(selection, max_sentences)
    if context:
        _complete_lead(evidence, selection, candidates, terms, max_sentences)
        _quote_antecedent(evidence, selection, max_sentences)
    if sentence_chars:
        for sentence in list(selection.sentences):
            _quote_whole_sentence(evidence, selection, sentence, sentence_chars)
    if context:
        _quote_gap(evidence, selection)
    return selection


def _holds(evidence: Evidence, kind: str | None, sentence: Sentence, question: str) -> bool:
    """Whether the sentence holds a value of the asked-for kind the question does not state: the patterns of
    ``answertype.holds``, and for "who" also a Chinese name jieba tags as a person's (朴正熙 or 亚当斯密 carry
    no mark of being a name)."""
    if answertype.holds(kind, sentence.text, question):
        return True
    if kind != "person":
        return False
    asked = evidence.analyzer.fold(question)
    return any(name not in asked for name in evidence.analyzer.person_names(sentence.text))


def concentration(evidence: Evidence, passages: list[Passage], doc_id: str) -> float | None:
    """How many of the retrieved passages come from ``doc_id``, from what chance would give (0: its share of the
    corpus's chunks, or fewer) to as many as it has (1). A question the sources answer draws several passages from
    the document that answers it; one they do not draws words from here and there (the public sets' left-out
    articles). None when chance alone would fill half of what the document can (one document, or one that holds
    most of the corpus, or every chunk retrieved), or when the documents are about one subject (``ALIKE``; one
    article cut in four: answerable questions drew passages from all four too): then it says nothing."""
    chunks = evidence.chunk_count(doc_id)
    likeness = evidence.likeness
    if not passages or not chunks or likeness is None or likeness > ALIKE:
        return None
    chance = chunks / len(evidence.index.chunks)
    most = min(len(passages), chunks) / len(passages)
    if chance > most / 2:
        return None
    return max(0.0, (sum(p.doc_id == doc_id for p in passages) / len(passages) - chance) / (most - chance))


def _about_source(evidence: Evidence, kind: str, passages: list[Passage]) -> Selection:
    """A question about the source itself: its byline (who wrote it, where and when), its title line or its reference
    list, quoted whole; no sentence when the documents have none."""
    docs = list(dict.fromkeys(p.doc_id for p in passages)) or list(evidence.index.docs)
    if kind == "title":
        chosen = [s for s in map(evidence.title_line, docs) if s is not None][:1]
        return Selection(chosen, 1.0 if chosen else 0.0, about_source=bool(chosen))
    found = evidence.meta_sentences(kind, docs)
    chosen = evidence.whole_lines(sorted(found, key=lambda s: (docs.index(s.doc_id), s.start)))
    chosen = chosen[:1] if kind == "byline" else chosen[:MAX_REFERENCES]
    return Selection(chosen, 1.0 if chosen else 0.0, about_source=bool(chosen))


def _add_neighbour(evidence: Evidence, selection: Selection, kind: str | None, question: str, max_sentences: int) -> None:
    chosen = selection.sentences
    if not chosen or kind is None or len(chosen) >= max_sentences:
        return
    if any(_holds(evidence, kind, s, question) for s in chosen):
        return
    after = evidence.following(chosen[0])
    if after is not None and after not in chosen and _holds(evidence, kind, after, question):
        chosen.insert(1, after)


@dataclass
class Candidate:
    sentence: Sentence
    hits: list[float]
    prior: float
    similarity: float | None = None


def _cover(terms, candidates: list[Candidate], total, max_sentences, min_gain=MIN_GAIN, close_margin=0.0) -> Selection:
    chosen: list[Sentence] = []
    covered = [0.0] * len(terms)
    candidates, first, runner_up = list(candidates), 0.0, None
    while candidates and len(chosen) < max_sentences:
        gains = [_gain(terms, c.hits, covered, total) for c in candidates]
        eligible = _adds_own(terms, candidates, covered) or ([] if chosen else range(len(candidates)))
        if not eligible:
            break
        best = max(eligible, key=lambda i: gains[i] + (candidates[i].prior if not chosen else 0.0))
        if chosen and gains[best] < min_gain:
            break
        if not chosen:  # the share of the question's weight the first sentence covers on its own
            first = sum(t.weight for t, h in zip(terms, candidates[best].hits) if h) / total
            # the second-best first sentence: when it scores about alike, which of the two answers is a guess
            scores = [g + c.prior for g, c in zip(gains, candidates)]
            second = max((i for i in eligible if i != best), key=scores.__getitem__, default=None)
            if close_margin > 0 and second is not None and scores[second] >= scores[best] - close_margin:
                runner_up = candidates[second].sentence
        picked = candidates.pop(best)
        chosen.append(picked.sentence)
        covered = [max(c, 1.0 if h else 0.0) for c, h in zip(covered, picked.hits)]
    coverage = sum(t.weight for t, c in zip(terms, covered) if c) / total
    return Selection(chosen, coverage, first_coverage=first, runner_up=runner_up)


def _adds_own(terms: list[Term], candidates: list[Candidate], covered: list[float]) -> list[int]:
    """The candidates that hold a term of the question's own not yet covered. A follow-up (那歐盟呢? after a question
    about Microsoft's president) carries the earlier question's terms as context: a sentence that covers only those
    answered the earlier question again, first or beside the answer. Every candidate when no term is carried."""
    if not any(t.carried for t in terms):
        return list(range(len(candidates)))
    return [i for i, c in enumerate(candidates)
            if any(h and not t.carried and not done for t, h, done in zip(terms, c.hits, covered))]


def _quote_runner_up(selection: Selection, max_sentences: int) -> None:
    """The runner-up joins the quoted sentences after the gate's signals were read: they are those of the
    sentences before it."""
    runner_up = selection.runner_up
    if runner_up is None or len(selection.sentences) >= max_sentences or runner_up in selection.sentences:
        return
    if any(_repeats(runner_up.text, s.text) for s in selection.sentences):
        return  # a figure caption that repeats the headline, a line quoted twice: the second copy tells nothing more
    selection.sentences.insert(1, runner_up)


def _repeats(a: str, b: str) -> bool:
    """Whether one text holds the other whole (the headline and its figure caption, 圖、<headline>)."""
    a, b = a.strip(), b.strip()
    return bool(a and b) and (a in b or b in a)


def _complete_lead(evidence: Evidence, selection: Selection, candidates: list[Candidate], terms: list[Term],
                   max_sentences: int) -> None:
    """A first sentence that says no more of the question than its document's opening does (the opening itself,
    "X is a plant of …", or another that only names X) tells what the subject is; when the question asks more of
    X (where it grows, whose mother she was), the sentence of the same document whose own words hold the most of
    the rest is quoted next to it, before any other document's, when there is room for it. After the gate's signals
    were read."""
    chosen = selection.sentences
    first = chosen[0] if chosen else None
    lead = evidence.lead(first.doc_id) if first is not None and not selection.about_source else None
    if lead is None:
        return
    held = evidence.hits(terms, first, context=False)
    opening = held if first == lead else evidence.hits(terms, lead, context=False)
    if any(h and not o for h, o in zip(held, opening)):
        return
    def gain(sentence: Sentence) -> float:
        own = evidence.hits(terms, sentence, context=False)
        return sum(t.weight for t, h, o in zip(terms, held, own) if not h and o)

    best, best_gain = None, 0.0
    for candidate in candidates:
        s = candidate.sentence
        if s.doc_id == first.doc_id and s != first:
            g = gain(s)
            if g > best_gain or (best is not None and g == best_gain and candidate.prior > best.prior):
                best, best_gain = candidate, g
    found = best.sentence if best is not None else None
    if found is None:
        # none of the retrieved passages says more of the subject: the rest of its document may (where it grows is
        # a chunk the question's words did not rank); a sentence there must hold LEAD_REST of what is left asked
        rest = sum(t.weight for t, h in zip(terms, held) if not h and t.df != 0)  # no sentence holds a word no source does
        for s in evidence.sentences_of(first.doc_id):
            g = gain(s) if s != first and not s.meta and not s.flagged else 0.0
            if g > best_gain and g >= LEAD_REST * rest:
                found, best_gain = s, g
    if found is None or (found not in chosen and len(chosen) >= max_sentences):
        return  # no room: what the cover chose stays
    if found in chosen:
        chosen.remove(found)
    chosen.insert(1, found)


def _quote_antecedent(evidence: Evidence, selection: Selection, max_sentences: int) -> None:
    """A first sentence that opens with a pronoun or a connective ("他…", "所以…", "賽後，…") is quoted with the
    sentence before it, which says whom it means or what led to it (after the gate's signals were read)."""
    chosen = selection.sentences
    if not chosen or len(chosen) >= max_sentences or selection.about_source:
        return
    first = chosen[0]
    if not (PRONOUN_OPENING.match(first.text) or CONNECTIVE_OPENING.match(first.text)):
        return
    before = evidence.previous(first)
    if before is not None and not before.meta and not before.flagged and before not in chosen:
        chosen.insert(0, before)


CLAUSE_END = re.compile(r"；[」』”’)）]*$")  # ；ends a clause: the sources' unit of a citation, not a sentence's end


def _quote_whole_sentence(evidence: Evidence, selection: Selection, clause: Sentence, limit: int) -> None:
    """A chosen sentence (``clause``; each is passed in turn) may be one clause of a longer sentence (花冠裂片5，…；
    副花冠5裂，…；…。): the clauses before and after it up to the sentence's ends are quoted with it, as one quote,
    when the whole sentence is at most ``limit`` characters long (what the chunker keeps as one sentence). After the
    gate's signals were read: the clause is what was matched; the sentence is what a reader needs (CMRC's answers
    often run past a ；)."""
    chosen = selection.sentences
    if clause not in chosen or selection.about_source:
        return

    def joins(a: Sentence, b: Sentence | None) -> bool:  # b is a's next clause, nothing between them (no line break)
        return (b is not None and not (b.meta or b.flagged) and CLAUSE_END.search(a.text) is not None
                and b.start == a.end)

    before, after, start, end = [], [], clause.start, clause.end
    here = clause
    while joins(here, nxt := evidence.following(here)) and nxt.end - start <= limit:
        after.append(nxt)
        here, end = nxt, nxt.end
    here = clause
    while (prev := evidence.previous(here)) is not None and joins(prev, here) and end - prev.start <= limit:
        before.insert(0, prev)
        here, start = prev, prev.start
    if before or after:
        rest = [s for s in chosen if s not in before and s not in after]
        at = rest.index(clause)
        selection.sentences = rest[:at] + before + [clause] + after + rest[at + 1:]


def _quote_gap(evidence: Evidence, selection: Selection) -> None:
    """Two chosen sentences of a document with one sentence between them are quoted with that sentence, as one
    passage: the cover took the two for the question's words, and what they leave out is often the answer between
    them (…并没有征服蒙古帝国的所有地区。在他去世的时候，蒙古帝国从里海一直延伸到日本海。1227年成吉思汗死后，…). After the
    gate's signals were read; the composer joins the three into one quote where they share a line."""
    chosen = selection.sentences
    if selection.about_source:
        return
    for sentence in list(chosen):
        middle = evidence.following(sentence)
        if middle is None or middle in chosen or middle.meta or middle.flagged:
            continue
        if evidence.following(middle) in chosen:
            chosen.insert(chosen.index(sentence) + 1, middle)


def _gain(terms: list[Term], hits: list[float], covered: list[float], total: float) -> float:
    """Share of the question's weight a sentence would newly cover (translated matches count less)."""
    return sum(t.weight * max(h - c, 0) for t, h, c in zip(terms, hits, covered)) / total
