"""Question analysis: informative terms, each with its variants across scripts and languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from .answertype import split_preface, without_request
from .crosslingual import Glossary, by_prefix, kin
from .text import Analyzer, is_cjk, plain_letters, zipf

BIGRAM_WEIGHT = 0.5
# A Latin-script word that no source holds and no dictionary knows (a name, or a name misspelt: Zeria, Bedigo)
# also matches the sources' words one edit away (Zeira, Bendigo), at this weight, when there are at most two.
SPELLING_WEIGHT = 0.8
# An irregular English form also matches its dictionary form (won → win, and win's translations), at this weight:
# some forms are also other words (left: leave, found: find).
LEMMA_WEIGHT = 0.8
# "What kind of …", "which types of …": the noun frames the question (as 哪种 does, a stopword) and says nothing
# of its topic; a source rarely repeats it, and as a word no source holds it would count against answering. So do
# "how many" and "how much", which ask for a number as 多少 does (the answer type reads the question's own text).
_FRAME = re.compile(r"\b(what|which)\s+(?:kinds?|sorts?|types?)\s+of\b|\b(how)\s+(?:many|much)\b", re.IGNORECASE)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]*")
# A Roman numeral after a name, two letters or more of I, V, X and L (Super Bowl XLIX, Henry III; not DC or MD):
# Chinese writes its number in digits (第 49 届) or, after a ruler's name, as a regnal number (亨利三世)
_ROMAN = re.compile(r"\b[A-Z][a-z]+ ((?=[IVXL]{2,}\b)(?:XL|L?X{0,3})(?:IX|IV|V?I{0,3}))\b")
_ROMAN_VALUES = {"L": 50, "X": 10, "V": 5, "I": 1}
_REGNAL = "一二三四五六七八九十"


@dataclass(frozen=True)
class Term:
    """One informative unit of the question and the tokens that count as a match for it (finished by
    ``weights.TermWeights.weigh``, which returns new terms with their document frequency and weight)."""

    label: str
    variants: dict[str, float]
    weight: float = 1.0
    carried: bool = False
    df: int = -1  # chunks that contain the term; 0 = the sources never mention it
    single: bool = False  # one Chinese character: weak evidence either way
    proper: bool = False  # names someone or something: if no source holds it, the question is about something else
    surface: str = ""  # the question's own word (quarterly for the stem quarter): how common it is decides its weight
    spelled: bool = False  # a foreign name the sources would spell by its sound: if none does, they lack it

    def lexical_tokens(self, analyzer: Analyzer) -> dict[str, float]:
        """The tokens BM25 scores the term by: its variants, and the character pairs of its Chinese ones, for a
        word jieba cuts otherwise in the sources (a two-character word of the question's own, such as 螭頭 that
        jieba cuts 螭/頭 in the source, is found by its one pair; a translation's pair is too loose a sign)."""
        tokens = dict(self.variants)
        for variant, mult in self.variants.items():
            if is_cjk(variant) and (len(variant) > 2 or len(variant) == 2 and mult >= 1.0):
                for bigram in analyzer.bigrams(variant):
                    tokens.setdefault(bigram, BIGRAM_WEIGHT * mult)
        return tokens


@dataclass(frozen=True)
class Query:
    """A question as the later stages see it: its text, its script and its weighed terms."""

    question: str
    language: str  # "en", "zh-Hant" or "zh-Hans"
    terms: list[Term]
    carried: str = ""  # the earlier question it leans on ("" for a standalone question)

    @property
    def text(self) -> str:
        """What is embedded: the earlier question it leans on, then the question."""
        return f"{self.carried} {self.question}".strip()


@dataclass
class QueryAnalyzer:
    analyzer: Analyzer
    glossary: Glossary
    tables: dict[str, dict[str, list[str]]]
    translation_weight: float
    known: Callable[[str], bool] | None = None  # whether a token occurs in the sources (for spelling variants)

    def _respelled(self, word: str, surface: str) -> list[str]:
        """The sources' words one edit away from ``word`` (a stem), when it looks misspelt (a word general English
        lacks): a name, or a word the translation tables render into the sources' language (difusion → diffus,
        recinded → rescind, for Chinese sources)."""
        if (self.known is None or len(word) < 5 or not word.isascii() or not word.isalpha() or self.known(word)
                or zipf(surface) > 0):
            return []
        edits = _one_edit(word)
        near = sorted(w for w in edits if self.known(w))
        if near:
            return near if len(near) <= 2 else []
        rendered = [w for w in edits if w in self.tables.get("en2zh", {})]
        return rendered if len(rendered) == 1 else []  # recind: remind or rescind? neither

    def _translations(self, word: str) -> list[str]:
        if is_cjk(word):
            zh2en = self.tables.get("zh2en", {})
            found = list(zh2en.get(word) or zh2en.get(_without_preposition(word), []))
            for zh, phrases in self.glossary.zh.items():
                if zh in word:
                    found += [s for p in phrases for s in self.glossary.english_stems(p)]
            return found
        en2zh = self.tables.get("en2zh", {})
        return list(en2zh.get(word) or [zh for stem in kin(word, self._by_prefix) for zh in en2zh[stem]])

    @cached_property
    def _by_prefix(self) -> dict[str, list[str]]:
        """The English stems that have a translation, by their first letters (``crosslingual.by_prefix``)."""
        return by_prefix(self.tables.get("en2zh", {}))

    def _phrase_terms(self, question: str) -> tuple[list[Term], str]:
        terms, rest, cut = [], [], 0
        for start, end, phrase in self.glossary.english_phrases(question):
            variants = {s: 1.0 for s in self.glossary.english_stems(phrase)}
            variants.update({zh: self.translation_weight for zh in self.glossary.en[phrase]})
            terms.append(Term(phrase, variants))
            rest.append(question[cut:start])
            cut = end
        rest.append(question[cut:])
        return terms, " ".join(rest)

    def question_terms(self, question: str, *, carried: str = "") -> list[Term]:
        """``terms`` of a question as a reader types it: statements before it ("I'm a journalist in Taipei writing
        about chip exports. When was…?") are context, read as ``carried`` terms (they may name what the question
        calls "it"; words of theirs no source holds do not count against answering)."""
        preface, asked = split_preface(question)
        return self.terms(asked, carried=" ".join(x for x in (preface, carried) if x))

    def terms(self, question: str, *, carried: str = "") -> list[Term]:
        """Informative terms of ``question``; terms of ``carried`` (an earlier turn) are marked as such."""
        own = self._terms(question)
        labels = {t.label for t in own}
        extra = [replace(t, carried=True) for t in self._terms(carried) if t.label not in labels] if carried else []
        return own + extra

    def _terms(self, question: str) -> list[Term]:
        typed = question  # names are read where the reader wrote them: "Explain Japan's…" begins no sentence with Japan
        question = without_request(question)
        terms, rest = self._phrase_terms(_FRAME.sub(lambda m: m.group(1) or m.group(2), question))
        seen = {t.label for t in terms}
        covered = {v for t in terms for v in t.variants}
        surfaces = {self.analyzer.stem(w): w.lower() for w in _LATIN_WORD.findall(plain_letters(question))}
        numerals = {self.analyzer.stem(m.group(1)): roman_written(m.group(1)) for m in _ROMAN.finditer(question)
                    if m.group(1)}
        for word in self.analyzer.words(rest):
            if word in seen or word in covered or re.fullmatch(r"\W+", word):
                continue
            seen.add(word)
            variants = {word: 1.0}
            for translated in self._translations(word):
                variants.setdefault(translated, self.translation_weight)
            lemmas = self.analyzer.lemma_stems(surfaces[word]) if word in surfaces else []
            for lemma in lemmas:
                variants.setdefault(lemma, LEMMA_WEIGHT)
            for translated in (t for lemma in lemmas for t in self._translations(lemma)):
                variants.setdefault(translated, self.translation_weight)
            for respelled in self._respelled(word, surfaces.get(word, word)):
                variants.setdefault(respelled, SPELLING_WEIGHT)
                for translated in self.tables.get("en2zh", {}).get(respelled, []):
                    variants.setdefault(translated, SPELLING_WEIGHT * self.translation_weight)
            for written in numerals.get(word, []):
                variants.setdefault(written, self.translation_weight)
            terms.append(Term(word, variants))
        # Single Chinese characters (多, 大, 吃 ...) are weak evidence: they count at a reduced weight.
        proper = self.analyzer.proper_nouns(typed)
        return [replace(t, surface=surfaces.get(t.label, t.label), single=is_cjk(t.label) and len(t.label) == 1,
                        proper=t.label in proper) for t in terms]


_PREPOSITION_END = re.compile(r"(?<=[\u4e00-\u9fff]{2})[于於]$")


def _without_preposition(word: str) -> str:
    """A word jieba keeps with the preposition 于 it ends in (起源于, 成立于), which CC-CEDICT has no entry for, without
    it (起源: "origin"); the word itself otherwise. (With 着 too, 扮演着 reached "play" in a Chinese corpus's English
    words and answered a CMRC question left out of the index.)"""
    return _PREPOSITION_END.sub("", word)


def roman_written(numeral: str) -> list[str]:
    """How a Chinese text writes the number a Roman numeral stands for: in digits, and as a regnal number up to ten
    (XLIX → 49; III → 3, 三世)."""
    values = [_ROMAN_VALUES[c] for c in numeral]
    n = sum(-v if v < after else v for v, after in zip(values, values[1:] + [0]))
    return [str(n)] + ([_REGNAL[n - 1] + "世"] if n <= len(_REGNAL) else [])


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion of a letter away from ``word``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters}
            | {a + c + b for a, b in splits for c in letters}) - {word}
