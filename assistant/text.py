"""Normalize and tokenize: one analyzer for passages and questions in either script or English.

Text is folded to Simplified (OpenCC t2s), regional variants are mapped to one form
(晶片→芯片, 川普→特朗普, ...), Chinese runs are cut by jieba and also indexed as character
bigrams (a fallback when jieba segments a name differently), Latin words are lower-cased
and stemmed.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from .cache import lookup_table

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# a Latin word may hold an ampersand between its letters (V&A, AT&T: two letters each on their own are dropped)
_RUN = re.compile(rf"[{_CJK}]+|[A-Za-z0-9][A-Za-z0-9.\-'&]*[A-Za-z0-9]|[A-Za-z0-9]")
# An English clitic: a possessive, or a contracted verb or "not" (isn't, they'd, we're). The word is read without it, so a
# contracted function word is a stopword like its full form, not a rare word no source holds (isn't weighed as the
# question's rarest word: "The idea … isn't able to be embraced by whom?")
_CLITIC = re.compile(r"n't$|'(?:s|re|ve|ll|d|m)?$")
_NEGATED = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}  # can't, won't, shan't, ain't


def bare_word(word: str) -> str:
    """A lower-case English word without its clitic (isn't → is, Kublai's → kublai, can't → can)."""
    bare = _CLITIC.sub("", word)
    return _NEGATED.get(bare, bare) if word.endswith("n't") else bare


CJK_CHAR = re.compile(rf"[{_CJK}]")
BIGRAM_MARK = "#"
# jieba keeps a question word with the measure word after it (几岁, 几层, 哪一年, 多少次): no source holds the
# pair, which then weighs as a rare word the sources lack. The question word frames what is asked (the answer
# type reads the question's own text); the measure word (岁, 层) is kept on its own. 甚么 is 什么; 几何 is geometry.
QUESTION_WORD = re.compile(r"(?!几何)(?:几|哪一?|多少|什么|甚么|啥)([\u4e00-\u9fff]?)")
PROPER_TAGS = {"nr", "nrt", "nrfg", "ns", "nt", "nz"}  # jieba's person, place, organisation and other names
PERSON_TAGS = {"nr", "nrt", "nrfg", "nrf"}  # ... and its person names (Chinese, transliterated, Japanese)
NAME_TAGS = PERSON_TAGS | {"ns", "nz"}  # ... and a person's, a place's or another name (not an organisation's)
PREDICATE_TAGS = ("v", "a", "d")  # jieba's verbs, adjectives and adverbs (and their kinds: vn, ad, an ...)
# Bump when tokenization or the reading of CC-CEDICT changes: the index records it and rebuilds its lexical side
# (and the dictionary tables cached under it).
ANALYZER_VERSION = 28
COMMON_CHAR = 5000  # a character jieba counts this often is a word of its own (在, 日, 时), not only part of one
_TOKENIZERS: dict = {}  # lexicon key -> jieba tokenizer with that lexicon's words, shared in the process
_TOKENIZERS_LOCK = threading.Lock()
_STEMMER_LOCK = threading.Lock()


# The general lexicon every corpus starts from; a corpus's own ``lexicon/`` folder adds rows to it.
DEFAULT_LEXICON = Path(__file__).resolve().parent / "lexicon"


def _plain_table() -> dict[int, str]:
    """Each accented Latin letter (U+00C0 to U+024F) → the plain letters English also writes it with (Temüjin and
    Temujin, Zürich and Zurich, Ørsted and Orsted, Straße and Strasse); each full-width digit and letter, which a
    Chinese input method types (ＡＩ, ２０２５), → its ASCII twin; and a typographic apostrophe, which phones and
    newsrooms type (didn’t, Nvidia’s), → "'" (else "didn" and "won" became words). Full-width punctuation (，？) stays."""
    import unicodedata

    table = {ord(k): v for k, v in {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                                     "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d"}.items()}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if code not in table and base.isascii() and base.isalpha():
            table[code] = base
    table.update({0x2018: "'", 0x2019: "'"})
    for first, last in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):
        table.update({code: chr(code - 0xFEE0) for code in range(first, last + 1)})
    return table


_PLAIN = _plain_table()
_UNPLAIN = re.compile("[\u00c0-\u024f\u2018\u2019\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def plain_letters(text: str) -> str:
    """``text`` with accented Latin letters written plain (ü → u), full-width ones half-width (Ａ → A) and typographic
    apostrophes straight (’ → '), so that both spellings are one word (a search first: translating every character
    costs ten times as much, and most text has none)."""
    return text.translate(_PLAIN) if _UNPLAIN.search(text) else text


def lexicon_files(lexicon_dir: Path, name: str) -> list[Path]:
    """``name`` in the default lexicon and in the corpus's lexicon folder, those that exist."""
    return [d / name for d in dict.fromkeys((DEFAULT_LEXICON, lexicon_dir)) if (d / name).is_file()]


def data_lines(lexicon_dir: Path, name: str) -> list[str]:
    """Non-blank, non-comment lines of a lexicon file, the default's first."""
    lines = []
    for path in lexicon_files(lexicon_dir, name):
        lines += [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    return lines


def read_table(lexicon_dir: Path, name: str) -> list[list[str]]:
    """Rows of a TAB-separated lexicon file (default rows, then the corpus's)."""
    return [[cell.strip() for cell in line.split("\t")] for line in data_lines(lexicon_dir, name)]


def glossary_entries(lexicon_dir: Path) -> list[tuple[str, list[str]]]:
    """(lower-case English phrase, its Chinese terms) for each row of ``glossary.tsv``."""
    return [(row[0].lower(), row[1].split("|")) for row in read_table(lexicon_dir, "glossary.tsv") if len(row) >= 2]


def is_cjk(token: str) -> bool:
    return bool(CJK_CHAR.match(token))


@dataclass
class Analyzer:
    """Turns text into matching tokens. Built once from the lexicon folder; jieba and OpenCC load lazily."""

    lexicon_dir: Path

    @property
    def _t2s(self):
        return _opencc("t2s")

    @property
    def _s2t(self):
        return _opencc("s2t")

    @property
    def _tw2s(self):
        return _opencc("tw2s")

    @cached_property
    def _variants(self) -> tuple[re.Pattern, dict[str, str]]:
        mapping: dict[str, str] = {}
        for canonical, variants in (row for row in read_table(self.lexicon_dir, "variants.tsv") if len(row) >= 2):
            mapping[canonical] = canonical
            for variant in variants.split("|"):
                mapping[self._t2s.convert(variant)] = canonical
        alternation = "|".join(re.escape(v) for v in sorted(mapping, key=len, reverse=True))
        return re.compile(alternation), mapping

    @cached_property
    def lexicon_key(self) -> str:
        """Identifies the lexicon's content, whatever folder it sits in."""
        import hashlib

        files = [p for d in (DEFAULT_LEXICON, self.lexicon_dir) if d.is_dir() for p in sorted(d.glob("*"))]
        return hashlib.sha1(b"".join(p.read_bytes() for p in files)).hexdigest()

    @cached_property
    def stopwords(self) -> frozenset[str]:
        return frozenset(w for line in data_lines(self.lexicon_dir, "stopwords.txt") for w in line.split())

    @cached_property
    def _jieba(self):
        """jieba's tokenizer with the lexicon's words, one per lexicon in the process (it takes a second to load)."""
        key = self.lexicon_key
        with _TOKENIZERS_LOCK:
            if key not in _TOKENIZERS:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                # Keep variant forms and glossary terms whole (沙特阿拉伯, 出口管制, 歐盟執委會 ...).
                glossary = [term for _, terms in glossary_entries(self.lexicon_dir) for term in terms]
                for word in set(self._variants[1].values()) | {self.fold(t) for t in glossary}:
                    if is_cjk(word) and len(word) > 1:
                        tokenizer.add_word(word)
                _TOKENIZERS[key] = tokenizer
            return _TOKENIZERS[key]

    @cached_property
    def _tagger(self):
        """jieba's part-of-speech tagger over our tokenizer, its word tags from the user cache (parsing them
        takes 0.8 s per process); jieba's own constructor if its internals ever change."""
        posseg = _posseg()
        try:
            tagger = posseg.POSTokenizer.__new__(posseg.POSTokenizer)
            tagger.tokenizer, tagger.word_tag_tab = self._jieba, _word_tags()
            return tagger
        except Exception:
            return posseg.POSTokenizer(self._jieba)

    def proper_nouns(self, text: str) -> set[str]:
        """Tokens of ``text`` that name someone or something: capitalised English words after the first
        word, and Chinese words jieba tags as person, place or organisation names."""
        found = set()
        for m in re.finditer(r"(?<=[\w,;:'\"(] )[A-Z][A-Za-z0-9\-]*", plain_letters(text)):
            found.update(self.words(m.group(0)))
        return found | self._tagged(text, PROPER_TAGS)

    def _tags(self, text: str):
        """(word, jieba's tag) for each Chinese word of ``text``, folded."""
        return ((w, flag) for run in _RUN.findall(self.fold(text)) if is_cjk(run) for w, flag in self._tagger.cut(run))

    def _tagged(self, text: str, tags: set[str]) -> frozenset[str]:
        """The Chinese words of ``text`` (folded, two characters or more) that jieba tags with one of ``tags``."""
        return frozenset(w for w, flag in self._tags(text) if flag in tags and len(w) > 1)

    def name_like(self, text: str) -> frozenset[str]:
        """The Chinese words of ``text`` that jieba tags as a name (a person's, a place's or another) or that its
        dictionary lacks (its HMM joined them, often a foreign name's syllables)."""
        return frozenset(w for w, flag in self._tags(text) if flag in NAME_TAGS or self.guessed(w))

    def predicative(self, word: str) -> bool:
        """Whether jieba tags the Chinese word, taken whole, as a verb, an adjective or an adverb (排定, 盯紧, 真的):
        it says what is asked, not what the question is about."""
        if not is_cjk(word):
            return False
        tags = [flag for _, flag in self._tagger.cut(word)]
        return len(tags) == 1 and tags[0].startswith(PREDICATE_TAGS)

    @cached_property
    def person_names(self):
        """The Chinese words of a text that jieba tags as a person's name (朴正熙, 亚当斯), folded; remembered for
        the sentences questions come back to."""
        from functools import lru_cache

        return lru_cache(maxsize=20000)(lambda text: self._tagged(text, PERSON_TAGS))

    @cached_property
    def _stemmer(self):
        import snowballstemmer

        return snowballstemmer.stemmer("english")

    def to_simplified(self, text: str, names: tuple[str, ...] = ()) -> str:
        """Simplified script with the lexicon's mainland wording (晶片 → 芯片, 輝達 → 英伟达), for showing answers.
        OpenCC's own phrase table (tw2sp) is not used: it rewrites words whose sense differs by context, so a quote
        said what its source does not (複製 "replicate" → 拷贝 "copy a file", 訊息 "message" → 消息 "news").
        ``names`` (a source's outlet, its author) change script only: the wording is for words, not names
        (科技產業資訊室 → 科技产业资讯室, where 資訊 alone reads 信息)."""
        found = sorted({n for n in names if n and n in text}, key=len, reverse=True)
        parts = re.split("(" + "|".join(map(re.escape, found)) + ")", text) if found else [text]
        return "".join(self._tw2s.convert(part) if i % 2 else self.fold_variants(self._tw2s.convert(part))
                       for i, part in enumerate(parts))

    def to_traditional(self, text: str) -> str:
        return self._s2t.convert(text)

    def fold(self, text: str) -> str:
        """Simplified script, one form per regional variant, Latin letters plain and half-width."""
        return self.fold_variants(self._t2s.convert(plain_letters(text)))

    def fold_variants(self, simplified: str) -> str:
        pattern, mapping = self._variants
        return pattern.sub(lambda m: mapping[m.group(0)], simplified)

    @cached_property
    def _stems(self) -> dict[str, str]:
        return {}

    def stem(self, word: str) -> str:
        word = word.lower()
        stem = self._stems.get(word)
        if stem is None:
            with _STEMMER_LOCK:  # the Snowball stemmer keeps its word in itself: two threads at once corrupt it
                stem = self._stems[word] = self._stemmer.stemWord(word)
        return stem

    def lemma_stems(self, word: str) -> list[str]:
        """Stems of an English word's dictionary forms that its own stem misses (won → win, brought → bring,
        children → child), by lemminflect; [] for a word whose forms the stemmer already joins."""
        from lemminflect import getAllLemmas

        own = self.stem(word)
        found = {self.stem(lemma) for forms in getAllLemmas(word.lower()).values() for lemma in forms}
        return sorted(s for s in found - {own} if s not in self.stopwords and len(s) > 1)

    def words(self, text: str, *, search: bool = False) -> list[str]:
        """jieba words and stemmed Latin words of folded text, stopwords dropped.

        ``search=True`` adds jieba's sub-words of long words (美国商务部 → 美国, 商务, 商务部, ...),
        which passages need so a question's shorter word still matches.
        """
        out = []
        for run in _RUN.findall(self.fold(text)):
            if is_cjk(run):
                pieces = self._jieba.lcut_for_search(run) if search else self._jieba.lcut(run)
            else:
                pieces = [bare_word(run.lower())]
            for piece in pieces:
                asking = None if piece in self.stopwords else QUESTION_WORD.fullmatch(piece)
                if asking:
                    piece = asking.group(1)
                if not piece or piece in self.stopwords or (len(piece) == 1 and piece.isalpha() and piece.isascii()):
                    continue
                out.append(piece if is_cjk(piece) else self.stem(piece))
        return out

    def guessed(self, word: str) -> bool:
        """Whether ``word`` is not in jieba's dictionary: its HMM joined the characters, often into a name, as
        often into a word glued to a particle (乱于, 教指, 期在)."""
        tokenizer = self._jieba
        tokenizer.check_initialized()
        return not tokenizer.FREQ.get(word)

    def cohesion(self, word: str) -> float | None:
        """How much more often general Chinese writes the two characters of ``word`` together than chance
        would (pointwise mutual information over jieba's dictionary counts, in nats); -inf when the dictionary
        lacks the word, None when either character is rare on its own (a name's, say)."""
        tokenizer = self._jieba
        tokenizer.check_initialized()
        counts = [tokenizer.FREQ.get(c, 0) for c in word]
        if len(word) != 2 or min(counts) < COMMON_CHAR:
            return None
        joined = tokenizer.FREQ.get(word, 0)
        return math.log(joined * tokenizer.total / (counts[0] * counts[1])) if joined else -math.inf

    @staticmethod
    def bigrams(word: str) -> list[str]:
        return [BIGRAM_MARK + word[i : i + 2] for i in range(len(word) - 1)]

    def tokens(self, text: str) -> list[str]:
        """Index tokens: words plus marked character bigrams of every Chinese run."""
        folded = self.fold(text)
        out = self.words(folded, search=True)
        for run in _RUN.findall(folded):
            if is_cjk(run):
                out.extend(self.bigrams(run))
        return out

    def script(self, text: str) -> str:
        """'zh-Hans', 'zh-Hant' or 'en' for a question."""
        return script(text)


@cache
def _posseg():
    """jieba.posseg. At import it parses jieba's whole dictionary for its module-level tagger's word tags
    (0.2 s); the same table comes from the user cache instead, handed to that tagger afterwards."""
    import io
    import sys

    import jieba

    if "jieba.posseg" in sys.modules:
        return sys.modules["jieba.posseg"]
    jieba.dt.get_dict_file = io.BytesIO  # an empty dictionary, for the import only
    try:
        import jieba.posseg
    finally:
        del jieba.dt.get_dict_file
    jieba.posseg.dt.word_tag_tab = _word_tags()
    return jieba.posseg


@cache
def _word_tags():
    """jieba's dictionary word → part-of-speech tag, as ``POSTokenizer.load_word_tag`` reads it (a lookup table
    with a dict's ``get``); one per process, shared by every tagger."""
    import jieba

    source = Path(jieba.__file__).with_name("dict.txt")
    size = source.stat().st_size

    def parse() -> dict[str, str]:
        tags = {}
        for line in source.read_text(encoding="utf-8").splitlines():
            parts = line.split(" ")
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
        return tags

    return lookup_table(f"jieba-tags-{jieba.__version__}-{size}.sqlite", parse)


@cache
def _frequencies(language: str):
    """wordfreq's table for ``language`` (a lookup table with a dict's ``get``), from the user cache: wordfreq
    unpacks it in 0.1-0.2 s per process, for the few words a question looks up."""
    from importlib.metadata import version

    def build() -> dict[str, float]:
        from wordfreq import get_frequency_dict

        return get_frequency_dict(language)

    return lookup_table(f"wordfreq-{version('wordfreq')}-{language}.sqlite", build)


def zipf(word: str) -> float:
    """log10 of a word's frequency per billion words in general text (zh or en), 0 when unknown."""
    import math

    freq = _frequencies("zh" if is_cjk(word) else "en").get(word.lower(), 0.0)
    return math.log10(freq) + 9 if freq > 0 else 0.0


@cache
def _opencc(config: str):
    from opencc import OpenCC

    return OpenCC(config)


def latin(text: str) -> bool:
    """Mostly Latin letters rather than Chinese characters."""
    cjk = len(CJK_CHAR.findall(text))
    return not cjk or cjk < sum(map(len, re.findall(r"[A-Za-z]+", text))) / 4


def script(text: str) -> str:
    """'zh-Hans', 'zh-Hant' or 'en': the script of a question or of a source's opening."""
    if latin(text):
        return "en"
    return "zh-Hans" if sum(map(_leaning, CJK_CHAR.findall(text))) > 0 else "zh-Hant"


@cache
def _leaning(char: str) -> int:
    """+1 for a character only Simplified writes (OpenCC s2t changes it), -1 for one only Traditional writes,
    0 for one both share, looked up a character at a time and remembered."""
    return (_opencc("s2t").convert(char) != char) - (_opencc("t2s").convert(char) != char)
