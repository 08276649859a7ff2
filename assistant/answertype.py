"""What kind of answer a question asks for (a date, a number, a name) and whether a sentence holds one; which part
of what a reader typed asks it (not a request round it, nor statements before it); whether it asks about the source.

A sentence that restates the question often lacks the answer, which sits in a neighbour; a question
that asks "when" is answered by the sentence that holds a date the question does not already give.
"""

from __future__ import annotations

import re

# A request wrapped round the question (Do you know who…, I'd like to know…, Explain…, 我想知道…, 介紹一下…): its verbs are not
# what is asked, and a word such as "know" or 知道, which no source need hold, counted against answering
_REQUEST = re.compile(
    r"^\W*(?:(?:(?:do|does) (?:you|anyone) know|(?:can|could|would) you (?:please )?(?:tell|show) me|please tell me|tell me"
    r"|i'?d like to know|i would like to know|i (?:want|wish|need) to know|i (?:am )?wonder(?:ing)?|(?:can|could) i ask"
    r"|(?:please )?(?:briefly )?(?:explain|describe|outline))\b"
    r"|(?:(?:just )?(?:a |one )?quick )?question\s*[:：])"
    r"|^\W*(?:請問一下|请问一下|請問|请问|我想知道|我想問|我想问|想知道|想請教|想请教|麻煩問一下|麻烦问一下|麻煩問下|麻烦问下"
    r"|請告訴我|请告诉我|你知道|您知道|(?:問|问)個?(?:問題|问题)\s*[:：,，]?"
    # a bare 描述 or 介紹 may be what is asked about (描述…的作品名為什麼?): only with 請 or 一下, or doubled (說說)
    r"|(?:請|请)(?:簡單|简单)?地?(?:解釋|解释|介紹|介绍|說明|说明|描述)(?:一下)?"
    r"|(?:簡單|简单)?地?(?:解釋|解释|介紹|介绍|說明|说明|描述)一下|說說|说说|講講|讲讲|談談|谈谈)",
    re.IGNORECASE)
# Where one sentence ends and the next begins: after 。！!, or a full stop after two lower-case letters or digits, or a
# Chinese character, and before a space (not the stops of U.S. or Y. pestis)
_SENTENCE_BREAK = re.compile(r"(?<=[。！!])\s*|(?:(?<=[a-z0-9][a-z0-9]\.)|(?<=[\u4e00-\u9fff]\.))\s+")
# Statements of the reader's own (I'm a journalist…, 我是記者…): the public sets' statements before a question are what
# it asks about (電荷守恆定律…。這個理論是誰發現的?), and stay part of it
_FIRST_PERSON = re.compile(r"^\s*(?:(?:i|i'm|i've|i'd|my|we|we're|we've|our)\b|我|本人)", re.IGNORECASE)  # not 「我…」, a quote


def without_request(question: str) -> str:
    """The question without a request wrapped round it ("Do you know when …" → " when …")."""
    return _REQUEST.sub("", question)


def split_preface(question: str) -> tuple[str, str]:
    """(the reader's statements before the first sentence that asks, the rest): ("I'm researching Nvidia.", "What did
    its CEO say?"); ("", question) when it opens with what it asks, asks nothing with a question mark, or opens with a
    statement not about the reader (電荷守恆定律…。這個理論是誰發現的?)."""
    parts = [p for p in _SENTENCE_BREAK.split(question.strip()) if p.strip()]
    first = next((i for i, p in enumerate(parts) if "?" in p or "？" in p), 0)
    if not first or not _FIRST_PERSON.match(parts[0]):
        return "", question
    return " ".join(parts[:first]), " ".join(parts[first:])


_ASKS = {
    "date": re.compile(
        # "when" asks only as the question's own word ("When did…", "… and when was…"), not in a clause of
        # circumstance ("What sea bordered his empire when he died?", "When many are arrested, what is…")
        r"^\W*when\b(?![^,?]*,\s*(?:what|who|whom|which|how|where|why)\b)"
        r"|\bwhen\s+(?:did|does|do|was|were|is|are|will|would|had|has|have|can|could|should|might)\b"
        r"|\bwhat (?:year|decade|century|date|day|month|era|period)\b|\bwhich (?:year|decade|century|date|day|month)\b"
        r"|\bhow long ago\b|何時|何时|什麼時候|什么时候|哪一?年|哪一?天|哪一?日|幾月|几月|何年|哪個年代|哪个年代|什麼年代|什么年代"
        r"|哪一?個?世紀|哪一?个?世纪|日期|多久以前|啥時候|啥时候|幾時|几时",
        re.IGNORECASE,
    ),
    "number": re.compile(
        r"\bhow (?:many|much|long|old|far|large|big|tall|high|often)\b|\bwhat (?:percentage|percent|proportion|number|amount|size)\b"
        r"|多少|幾[個个年次名位座項项種种倍歲岁%]|几[个年次名位座项种倍岁%]|多大|多久|多長|多长|多高|多遠|多远",
        re.IGNORECASE,
    ),
    "person": re.compile(r"\bwho(?:m|se)?\b|哪位|誰|谁|何人|哪一位|什麼人|什么人", re.IGNORECASE),
}
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CN_NUM = "一二三四五六七八九十百千萬万億亿兩两〇零"
_HOLDS = {
    "date": re.compile(
        rf"\d{{1,4}}\s*(?:[年月日]|世紀|世纪)|[{_CN_NUM}]+\s*(?:年|月|日|世紀|世纪)|世紀|世纪|年代|\b1\d{{3}}s?\b|\b20\d{{2}}s?\b|\b(?:{_MONTHS})\b"
        r"|\bcentury\b|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d[\d,.]*\s+(?:years?|decades?|centuries)\s+ago\b"
        r"|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth"
        r"|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first)\s+century\b",
        re.IGNORECASE,
    ),
    "number": re.compile(
        # digits, but not those of a name such as H20, L40 or X.25
        rf"(?<![A-Za-z0-9.])\d+|[{_CN_NUM}]+\s*[個个名位座項项次人年倍種种歲岁%％]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
        r"|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|half|percent)\b",
        re.IGNORECASE,
    ),
    # A name: capitalised words not at the start of the sentence, or a transliterated name (·, •).
    "person": re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z][a-z]+)*|[\u4e00-\u9fff]{1,6}[·•・][\u4e00-\u9fff]{1,8}"),
}


# A quantity noun asks for a number when no other question word does the asking (比例是? but not 哪一種米的比例最多?)
_QUANTITY = re.compile(r"百分之|比例|數量|数量|金額|金额")
_WHICH = re.compile(r"什麼|什么|哪|誰|谁|何")
# a number question that a date's parts may answer (多少年, how long, how old: 3年, 1990s)
_DURATION = re.compile(r"多少年|幾年|几年|多久|多長|多长|幾歲|几岁|多少歲|多少岁|年齡|年龄|歲數|岁数"
                       r"|\bhow (?:long|old|many years|many decades|many centuries)\b", re.IGNORECASE)


def asks(question: str) -> str | None:
    """'date', 'number' or 'person' when the question asks for one (date before number), else None."""
    question = without_request(split_preface(question)[1])
    for kind, pattern in _ASKS.items():
        if pattern.search(question):
            return kind
    return "number" if _QUANTITY.search(question) and not _WHICH.search(question) else None


def holds(kind: str | None, sentence: str, question: str) -> bool:
    """Whether ``sentence`` holds a value of ``kind`` that the question does not already state."""
    if kind is None:
        return False
    if kind == "number" and not _DURATION.search(question):
        sentence = _HOLDS["date"].sub(" ", sentence)  # a date is no count or amount (5月13日 for 協議金額是多少?)
    lowered = question.lower()
    return any(m.group(0).strip().lower() not in lowered for m in _HOLDS[kind].finditer(sentence))


# Questions about the source itself, answered from its byline (who wrote it, where and when it was published) or
# its reference list (what it cites); neither is ever evidence for claims about events.
_AUTHOR = re.compile(r"作者|誰寫|谁写|撰寫|撰写|撰文|執筆|执笔|\bwho wrote\b|\bauthor\b|\bwritten by\b|\bbyline\b", re.IGNORECASE)
# ... and asks who it is (作者建議… and "what does the author argue" ask what the source says, not who wrote it)
_WHO = re.compile(r"誰|谁|哪位|何人|什麼人|什么人|名字|姓名|\bwho\b|\bname\b|作者\s*是?\s*[?？]?\s*$|^\W*(?:author|byline)\W*$",
                  re.IGNORECASE)
# The source named as such (這篇文章, 本文, "this article"; not 霍布斯的文章): where and when *it* was published is its
# byline's to say, and what *it* cites its reference list's
# "the article", "this piece", and with the outlet's or another word before the noun: "the iKnow article", "the
# original piece"
_THE_ARTICLE = r"\b(?:this|the) (?:[\w.-]+ )?(?:article|piece|analysis|story|post)\b"
_SELF = (r"(?:(?:這篇|这篇|本文|該文|该文|此文|這份|这份)(?:文章|分析|報導|报道|評論|评论)?|(?<![的之])文章"
         rf"|{_THE_ARTICLE}|\bthis report\b)")
_PUBLISHED = (r"(?:發表|发表|刊登|刊出|刊載|刊载|刊於|刊于|登在|出自|來自|来自|\b(?:published|posted|ran|came out|appeared"
              r"|publication|publisher|outlet|website|site|newspaper|magazine)\b)")
# Between the two, only words that ask where or when (文章是什麼時候發表的, 这篇文章是哪个媒体发表的; "When was the article
# first published", "which outlet published the analysis"): 文章提到川普何時發表演說 asks what the article says
_WHERE_WHEN = (r"(?:[是在於于由的被首次最早何時时什麼么候哪一幾几天年月日號号個个家位媒體体網网站裡里處处刊物社台]|\s"
               r"|\b(?:was|is|it|first|on|in|by|the|which|what)\b)")
_PUBLICATION = re.compile(rf"{_SELF}{_WHERE_WHEN}{{0,10}}{_PUBLISHED}|{_PUBLISHED}{_WHERE_WHEN}{{0,4}}{_SELF}", re.IGNORECASE)
# A question about another work is not about the source: a title in book marks or quotes (《醫學寶鑑》的作者是誰?), "the
# author of Hamlet", "who wrote the poem …", "who wrote about …"
_OTHER_WORK = re.compile(
    rf"[《「“\"]|\bauthor of (?!{_THE_ARTICLE})|\bwho wrote (?!{_THE_ARTICLE})\w", re.IGNORECASE)
# ... its title, what it is about or a summary of it (這篇文章在講什麼?, "What is the article about?", 請總結這篇文章; not
# "what does the article say about Huawei"): its own headline says
_TITLE = re.compile(
    rf"{_SELF}(?:[的是在主要到底究竟所了]|'s\s){{0,4}}(?:標題|标题|題目|题目|主旨|大意|重點|重点|講什麼|讲什么|說什麼|说什么|在講|在讲"
    rf"|總結|总结|摘要|概述|概要|title\b|headline\b|gist\b|summary\b)|\b(?:title|headline|gist|summary)\s+of\s+{_SELF}"
    rf"|{_SELF}\s+(?:\w+ly\s+)?about\W*$|(?:總結|总结|概述|摘要|\bsummari[sz]e)\W*(?:一下)?\W*{_SELF}",
    re.IGNORECASE)
_REFERENCES = re.compile(
    rf"(哪些|什麼|什么|哪幾|哪几)(篇)?(報導|报道|來源|来源|資料|资料|文獻|文献|新聞|新闻)|{_SELF}[了的所有曾都共\s]{{0,3}}(?:引用|參考|参考|cit(?:e|es|ed)\b)"
    rf"|{_SELF}[的所了有用]{{0,3}}(?:資料來源|资料来源|來源|来源)|\b(?:which|what) (?:reports|sources|articles)\b|\breferences?\b",
    re.IGNORECASE,
)


def about_source(question: str) -> str | None:
    """'byline' when the question asks who wrote the source, or where or when it was published; 'title' when it
    asks for its title or what it is about; 'references' when it asks what the source cites; else None. (A corpus
    with no byline, title line or reference list answers it as any other question: ``extractive.select``.)"""
    own = not _OTHER_WORK.search(question)
    if own and ((_AUTHOR.search(question) and _WHO.search(question)) or _PUBLICATION.search(question)):
        return "byline"
    if own and _TITLE.search(question):
        return "title"
    return "references" if _REFERENCES.search(question) else None
