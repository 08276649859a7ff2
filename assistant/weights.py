"""Weigh: how much each question term counts, from the index (document frequency) and from general
language (wordfreq's Zipf scale), with the index's bridges for names jieba cut apart and paraphrases."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from functools import cached_property

from .crosslingual import glossed, headwords
from .lexical import LexicalIndex, idf
from .query import Term
from .text import Analyzer, is_cjk
from .text import zipf as general_zipf

CARRIED_WEIGHT = 0.5
SINGLE_CHAR_WEIGHT = 0.5
# How a term's weight follows its general-language frequency (wordfreq's Zipf scale): a word as common
# as "today" or 時候 counts for little whether or not the sources hold it; an unknown word counts fully.
COMMON_ZIPF, ZIPF_SPAN, MIN_GENERAL = 7.0, 4.0, 0.1
ABSENT_ZIPF, ABSENT_SPAN = 4.5, 2.0  # the same for a word no source holds: rare words only (Zipf < 4.5)
CHARS_PER_WORD = 2.0  # rough: about 1.6 in Chinese, 5-6 in English; only scales the chance estimate
PIVOT_WEIGHT = 0.5  # a paraphrase's match through a shared English gloss (crosslingual.build_tables)
MIN_COHESION = 1.5  # below it, two common characters jieba joined are split (see _split_glued)
UNTRANSLATED_WEIGHT, RARE_ZIPF = 0.0, 3.0  # an untranslatable rare word of a question in another language
# A Chinese corpus that writes people's names in Latin letters beside the Chinese (凱斯勒(Jeffery Kessler)) this
# often per 1,000 characters would hold a Latin name the question gives, if it named that person at all
LATIN_NAMES_RATE = 1.0
_YEAR = re.compile(r"\d{4}")
_LATIN_BESIDE = re.compile(r"[\u4e00-\u9fff][（(]\s*[A-Z][A-Za-z.\-]+(?:\s+[A-Z][A-Za-z.\-]+)*\s*[)）]")


def general_weight(zipf: float) -> float:
    """1 for rare or unknown words, down to MIN_GENERAL for the most common ones."""
    if zipf <= 0:
        return 1.0
    return min(1.0, max(MIN_GENERAL, (COMMON_ZIPF - zipf) / ZIPF_SPAN))


def absent_weight(zipf: float, words: float, *, naming: bool = True) -> float:
    """How much a word no source holds counts against answering, 0..1.

    A rare word (a name, a term of art) that no source holds means the question is about something
    the sources lack. A common word's absence (本來, 打算, wrote: how readers paraphrase) says so only
    in proportion to how surely a corpus of ``words`` words would hold it by chance: 1 - exp(-expected
    occurrences), from the word's general-language frequency. So does a rare word that says what is done
    rather than naming what it is done to (``naming=False``: a verb, adjective or adverb, 排定, 盯紧, 划成):
    readers choose those freely."""
    chance = 1.0 - math.exp(-(10 ** (zipf - 9)) * words) if zipf > 0 else 0.0
    if not naming:
        return chance
    if zipf <= 0:
        return 1.0
    rarity = (ABSENT_ZIPF - zipf) / ABSENT_SPAN
    return min(1.0, max(0.0, rarity, chance))


def absent_share(terms: list[Term]) -> float:
    """Share of the question's own informative weight on terms no source mentions at all."""
    own = [t for t in terms if not t.carried]
    total = sum(t.weight for t in own)
    return sum(t.weight for t in own if t.df == 0 and not t.single) / total if total else 0.0


_NAME_DOT = re.compile("[·•・]")  # the middle dot between a foreign name's parts


class TermWeights:
    """Weighs a question's terms against one loaded index."""

    def __init__(self, index: LexicalIndex, analyzer: Analyzer):
        self.index = index
        self.analyzer = analyzer

    @cached_property
    def spells_names(self) -> bool:
        """Whether the sources write names in Latin letters beside the Chinese often enough (LATIN_NAMES_RATE) that a
        Latin name no source holds is missing in fact, not only by spelling."""
        chars = sum(len(c.text) for c in self.index.chunks)
        found = sum(len(_LATIN_BESIDE.findall(c.text)) for c in self.index.chunks)
        return chars > 0 and found * 1000 / chars >= LATIN_NAMES_RATE

    @cached_property
    def words(self) -> float:
        """The corpus's size in words, each sentence once (neighbouring chunks share one)."""
        return self.index.sentence_chars / CHARS_PER_WORD

    def weigh(self, terms: list[Term], question: str = "", language: str = "") -> list[Term]:
        """Give each term its informativeness: IDF over chunks (the largest for a term no chunk holds)
        scaled by how rare the word is in general language, halved for terms carried from history.
        ``question`` (its text) lets jieba's fragments of a name be rejoined; ``language`` (its script)
        says whether it is asked in a language no source is written in."""
        crossing = self.index.foreign(language)
        terms = self._rejoin(terms, self.analyzer.fold(question), crossing) if question else terms
        terms = self._split_glued(terms)
        return [self._weighed(term, crossing) for term in terms]

    def _weighed(self, term: Term, crossing: bool) -> Term:
        variants = dict(term.variants)
        df = self.index.df(variants)
        if df == 0:
            df = self._unglue(term.label, variants)
        if df == 0:
            df = self._pivot(term.label, variants)
        zipf = general_zipf(term.surface or term.label)
        if df == 0 and is_cjk(term.label) and len(term.label) == 2 and not term.proper \
                and self.analyzer.guessed(term.label):
            # two characters jieba's HMM joined (會出, 乱于, 期在: a character glued to a particle), in neither its
            # dictionary nor the sources: as weak evidence as one character
            term = replace(term, single=True)
        missing = set(term.label) - self.index.characters if df == 0 and term.single and is_cjk(term.label) else ()
        if missing and all(general_zipf(char) < ABSENT_ZIPF for char in missing):
            # a rare character no source holds anywhere, not even inside a word (蓍, a plant's one-character name):
            # its absence is a fact, as a rare word's is (a common one, 事 or 旧, a short text may not happen to use;
            # so a pair jieba's HMM glued, 旧规, is read by the characters the sources lack, not as the rare pair)
            term = replace(term, single=False)
        # A lone Chinese character is rarely a word of its own in the index (jieba joins it into words
        # such as 事情, 事件): its absence as a token says nothing, so it weighs as a common word would.
        if df:
            base = general_weight(zipf)
        elif term.proper:
            base = 1.0
        elif term.single:
            base = general_weight(zipf)
        else:
            base = absent_weight(zipf, self.words, naming=not self.analyzer.predicative(term.label))
        weight = idf(df, len(self.index.chunks)) * base
        weight *= (CARRIED_WEIGHT if term.carried else 1.0) * (SINGLE_CHAR_WEIGHT if term.single else 1.0)
        # a name the sources write in Latin letters anyway, or a year (1754: the same digits in either language; a
        # shorter number may be written otherwise, 66 million as 6600万): its absence is a fact
        alike = (term.proper and not is_cjk(term.label) and self.spells_names) or bool(_YEAR.fullmatch(term.label)) \
            or term.spelled
        if crossing and df == 0 and len(variants) == 1 and not alike \
                and (zipf < RARE_ZIPF or (term.proper or is_cjk(term.label)) and not self._glossed(term)):
            # asked in a language no source is written in, a rare word with no translation (a name such as
            # Piketty, which the sources spell 皮凯蒂) is missing from the sources by spelling, not by fact, and
            # so is a name no dictionary entry glosses at all, however common the word (Donna, Victorian,
            # Geelong: the sources write 唐娜, 维多利亚, 基隆), and a Chinese word CC-CEDICT has no entry for (最大,
            # 第三, 每个: it leaves compounds to their characters); a word the dictionary renders (Japan, France,
            # with no 日本 or 法国 in the sources) still says the sources lack it
            weight *= UNTRANSLATED_WEIGHT
        return replace(term, variants=variants, df=df, weight=weight)

    def _glossed(self, term: Term) -> bool:
        """Whether CC-CEDICT glosses the term's English word anywhere, or has an entry for its Chinese word."""
        return term.label in (headwords(self.analyzer) if is_cjk(term.label) else glossed(self.analyzer))

    def _rejoin(self, terms: list[Term], folded: str, crossing: bool = False) -> list[Term]:
        """jieba cuts a name it has not seen into pieces (承/久之/乱于): neighbouring Chinese pieces whose
        join the question holds and a source holds too become one term.

        Asked in a language no source is written in (``crossing``), a foreign name's part after a middle dot
        (托马斯·皮凯蒂 → 皮/凯蒂) is joined too, which no source holds: the name bridge sounds it out against the
        sources' Latin names (Piketty), and where it finds none, the sources lack it (``Term.spelled``). The name runs
        on while jieba tags a piece as a name or lacks it (麦特/琳, 谢尔/布鲁克) and stops at the first other word
        (皮凯蒂的工作: 工作; 拉采尔出生于: 出). Within one language the pieces match the sources' own cut."""
        named = self.analyzer.name_like(folded) if crossing and _NAME_DOT.search(folded) else frozenset()
        out: list[Term] = []
        for term in terms:
            last = out[-1] if out else None
            if last is not None and is_cjk(last.label) and is_cjk(term.label) and not (last.carried or term.carried):
                joined = last.label + term.label
                if named and re.search(_NAME_DOT.pattern + re.escape(joined), folded) \
                        and any(term.label in word for word in named):
                    out[-1] = Term(joined, {joined: 1.0}, proper=True, surface=joined, spelled=True)
                    continue
                weak = len(last.label) == 1 or len(term.label) == 1 or not self.index.df([last.label])
                if weak and joined in folded and not self._glued(last.label, term.label) and self.index.df([joined]):
                    out[-1] = Term(joined, {joined: 1.0})
                    continue
            out.append(term)
        return out

    def _split_glued(self, terms: list[Term]) -> list[Term]:
        """A two-character word of two common characters that general Chinese rarely writes together (让日 of
        讓日韓, 期在, 是从, 不为): jieba glued a particle or a name's character to its neighbour. Its characters
        become terms of their own (stopwords dropped), as weak as any single character. A word the sources write
        too, if jieba's dictionary knows it, stays whole (两难, 两国: their characters are common, but so is the
        word where they are); one jieba's HMM glued (让日 of 讓日方 too) does not."""
        out: list[Term] = []
        labels = {t.label for t in terms}
        for term in terms:
            cohesion = None if term.proper or term.carried or not is_cjk(term.label) else self.analyzer.cohesion(term.label)
            if cohesion is None or cohesion >= MIN_COHESION or (not self.analyzer.guessed(term.label)
                                                                 and self.index.df([term.label])):
                out.append(term)
                continue
            for char in term.label:
                if char not in labels and char not in self.analyzer.stopwords:
                    labels.add(char)
                    out.append(Term(char, {char: 1.0}, single=True, surface=char))
        return out

    def _glued(self, left: str, right: str) -> bool:
        """A lone character beside a dictionary word that the sources mostly hold without it (人 支持: 4 chunks
        hold 人支持, 137 hold 支持; 时候 才, 一 类型): a particle or a classifier, not part of a name. The join is a
        token of the sources only where jieba's HMM glued the same two; the answer's sentence has the plain
        word. Where the sources mostly write the two together (新方法, 2 of 2), they stay one term."""
        if (len(left) == 1) == (len(right) == 1):
            return False
        word = right if len(left) == 1 else left
        return not self.analyzer.guessed(word) and self.index.df([word]) > 2 * self.index.df([left + right])

    def _pivot(self, label: str, variants: dict[str, float]) -> int:
        """A Chinese word no source holds matches the sources' words that share an English gloss with it in
        CC-CEDICT (原先 → 原定 by "originally", 投資人 → 投資者 by "investor"), at a reduced weight; glosses
        shared by many words ("to be", "issue") are skipped (the table is built at ingest). Adds them to
        ``variants``; returns the new document frequency."""
        found = self.index.tables.get("pivot", {}).get(label, [])
        for word in found:
            variants.setdefault(word, PIVOT_WEIGHT)
        return self.index.df(variants) if found else 0

    def _unglue(self, label: str, variants: dict[str, float]) -> int:
        """jieba glues an unseen name to a neighbouring character (福茂于): match the name without it (added
        to ``variants``); returns the new document frequency."""
        if not (is_cjk(label) and len(label) > 2):
            return 0
        for part in (label[:-1], label[1:]):
            df = self.index.df([part])
            if df:
                variants[part] = 1.0
                return df
        return 0
