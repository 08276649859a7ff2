"""The languages an answer can be written in, as data: what each needs is one entry here, stopwords and
variants in the lexicon (``assistant/lexicon``), and a rule in ``text.script`` that recognises it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str  # what text.script returns for a question in it
    name: str  # how a prompt names it to a language model
    abstain: str  # the honest "the sources don't say"
    lead: str  # a one-line lead when every quote is in the other language
    joiner: str  # between sentences of an answer
    cues: str  # a regex of words that make a question lean on the previous one (pronouns, "what about")
    simplified: bool = False  # Chinese text is shown in Simplified characters


LANGUAGES = {
    "en": Language("en", "English", "The sources don't say: nothing in the indexed articles answers this question.",
                   "The source is in Chinese; the passages that answer this say:", " ",
                   r"\b(he|she|it|they|his|her|its|their|them|that|this|those|these|what about|and)\b"),
    "zh-Hant": Language("zh-Hant", "Traditional Chinese (繁體中文)", "資料來源沒有提到:已索引的文章中沒有能回答這個問題的內容。",
                        "來源為英文,回答問題的段落如下:", "", "他|她|它|其|該|此|這|那|呢|同樣"),
    "zh-Hans": Language("zh-Hans", "Simplified Chinese (简体中文)", "资料来源没有提到:已索引的文章中没有能回答这个问题的内容。",
                        "来源为英文,回答问题的段落如下:", "", "他|她|它|其|该|此|这|那|呢|同样", simplified=True),
}


def language(code: str) -> Language:
    """The table's entry for ``code`` (English for a code it does not know)."""
    return LANGUAGES.get(code, LANGUAGES["en"])
