"""Extract stage: sentence choice (answer types, greedy cover, neighbours, document openings, metadata) and any corpus."""

import pytest

from assistant import Assistant, Settings
from assistant.answertype import asks, holds
from assistant.chunking import sentences
from assistant.evidence import LEAD_WEIGHT, matches
from assistant.extractive import Candidate, Selection, _complete_lead, _cover, _quote_gap, _quote_runner_up
from assistant.query import Term
from assistant.types import Sentence


@pytest.mark.parametrize("question, kind", [
    ("AI擴散規則原定何時生效?", "date"), ("When did the rule take effect?", "date"), ("哪一年爆發?", "date"),
    ("黃仁勳估計市場值多少錢?", "number"), ("How many tiers are there?", "number"),
    ("美國商務部次長是誰?", "person"), ("Who heads Nvidia?", "person"), ("What did Citi warn about?", None),
    ("And when was it signed?", "date"), ("What sea bordered the empire when he died?", None),
    ("失業人口的比例?", "number"), ("市場上以哪一種米的比例最多?", None),
    ("When many people are arrested, what is a common tactic?", None),
    # what the reader asks, inside a request or after statements of their own
    ("Do you know when the rule was rescinded?", "date"), ("I write about chips. When was the rule rescinded?", "date"),
])
def test_questions_ask_for_a_kind_of_answer(question, kind):
    assert asks(question) == kind


def test_a_sentence_holds_the_asked_value_only_if_the_question_lacks_it():
    assert holds("date", "美國商務部於5月13日正式撤銷了規定。", "何時撤銷?")
    assert not holds("date", "美國商務部於5月13日正式撤銷了規定。", "5月13日發生了什麼?")
    assert holds("number", "The rule split countries into three tiers.", "How many tiers?")
    assert not holds("number", "其就會設計降規晶片。", "有多少晶片?")
    assert not holds(None, "anything 2025", "what?")
    assert holds("date", "直至7世紀伊斯蘭教傳入當地為止。", "伊斯蘭教在哪一個世紀傳入?")  # the century, not the word
    assert holds("date", "It warmed from 22,000 years ago.", "When did it warm?")
    assert holds("date", "Schools were founded in the nineteenth century.", "In what century?")


def test_a_date_or_a_model_name_holds_no_count_or_amount():
    """協議金額是多少? is not answered by a sentence whose only number is its date, unless the question asks how long
    (工作了多少年?: 3年); nor is a price by a sentence whose only digits name chips (H20, L40)."""
    assert not holds("number", "其就會設計降規晶片,如H20和L40。", "H20晶片在中國的售價是多少?")
    assert holds("number", "H20的售價約為1.2萬美元。", "H20晶片在中國的售價是多少?")
    assert not holds("number", "美國商務部於5月13日正式撤銷了規定。", "協議金額是多少?")
    assert holds("number", "協議金額為60億美元,於5月13日簽署。", "協議金額是多少?")
    assert not holds("number", "In 1998 the team won the cup.", "How many titles did they win?")
    assert holds("number", "They won 3 titles in 1998.", "How many titles did they win?")
    assert holds("number", "他在當地工作了3年。", "他在當地工作了多少年?")
    assert holds("number", "The empire lasted for two centuries, until 1453.", "How long did the empire last?")


def test_a_chinese_name_with_no_mark_of_being_one_answers_who():
    """朴正熙 has no · and no capital: jieba's person tag says it is a name, unless the question gives it."""
    from types import SimpleNamespace

    from assistant.extractive import _holds
    from assistant.text import Analyzer
    from tests.conftest import ROOT

    evidence = SimpleNamespace(analyzer=Analyzer(ROOT / "corpus" / "lexicon"))
    said = Sentence("c", "d", 0, 22, "1961年，朴正熙發動政變，掌握了韓國的政權。", "", frozenset())
    assert not holds("person", said.text, "誰發動了政變?")  # the patterns alone miss it
    assert _holds(evidence, "person", said, "誰發動了政變?")
    assert not _holds(evidence, "person", said, "朴正熙發動了什麼?")  # a name the question gives answers nothing
    assert not _holds(evidence, "person", Sentence("c", "d", 0, 11, "政變發生在1961年。", "", frozenset()), "誰發動了政變?")


def test_english_sentences_end_at_full_stops_but_not_after_abbreviations():
    text = "Mr. Smith met U.S. officials on Jan. 5. They spoke for an hour. DECnet was made by Digital Equipment Corp. in 1975."
    pieces = [text[s.start : s.end] for s in sentences(text)]
    assert pieces == ["Mr. Smith met U.S. officials on Jan. 5.", "They spoke for an hour.",
                      "DECnet was made by Digital Equipment Corp. in 1975."]
    # in Chinese text an abbreviation follows a character of another script: still no sentence ends there
    mixed = "入口两旁摆著圣若望（St. John of Matha）及St. Felix of Valois的雕像。教堂内部很复杂。"
    assert [mixed[s.start : s.end] for s in sentences(mixed)] == [mixed[: mixed.index("。") + 1], "教堂内部很复杂。"]


def test_a_folder_without_a_lexicon_ingests_and_answers_in_its_language(corpus_bot, tmp_path):
    bot = corpus_bot({"tides.txt": "月球的引力使海水每天涨落两次,这就是潮汐。大潮出现在新月和满月前后。",
                      "volcano.txt": "\ufeff富士山最後一次噴發是在1707年。火山由岩漿噴出形成。"})
    assert {d["language"] for d in bot.index.docs.values()} == {"zh-Hans", "zh-Hant"}
    reply = bot.answer("富士山最後一次噴發是哪一年?")
    assert not reply.abstained and "1707" in reply.text and not reply.text.startswith("來源為英文")
    cite = reply.citations[0]
    # a file with a BOM: offsets count from the first character after it (read with utf-8-sig)
    assert (tmp_path / "corpus" / "volcano.txt").read_text(encoding="utf-8-sig")[cite.start : cite.end] == cite.quote
    # outside the checkout, sources are named relative to the corpus folder, never by absolute path
    assert cite.source == "volcano.txt" and str(tmp_path) not in str(reply.to_dict())


@pytest.mark.parametrize("question", ["這篇文章的作者是誰?", "Who wrote this piece?", "这篇分析是谁写的?",
                                      "這篇文章是什麼時候發表的?", "Which outlet published the analysis?",
                                      "这篇文章是哪个媒体发表的?"])
def test_who_wrote_the_source_and_where_and_when_it_ran_are_answered_from_the_byline(bot, question):
    reply = bot.answer(question)
    assert not reply.abstained and "黃松勳" in reply.citations[0].quote and "2025年5月15日" in reply.citations[0].quote
    if "媒体" in question:  # the outlet's name keeps its own wording in Simplified (not the lexicon's 信息)
        assert reply.text.startswith("科技产业资讯室")


@pytest.mark.parametrize("question", ["這篇文章的標題是什麼?", "What is the article about?", "这篇文章在讲什么?"])
def test_the_title_and_what_the_source_is_about_are_answered_from_its_title_line(bot, question):
    reply = bot.answer(question)
    assert not reply.abstained and len(reply.citations) == 1
    assert reply.citations[0].quote == "川普政府廢除拜登時代AI晶片出口限制,輝達全球戰略面臨新挑戰" and reply.citations[0].start == 0


@pytest.mark.parametrize("question", [
    "I'm a journalist in Taipei writing about chip exports. When was the AI diffusion rule rescinded?",
    "Quick question: when was the AI diffusion rule rescinded?",
    "Do you know when the AI diffusion rule was rescinded?",
])
def test_a_reader_s_preamble_or_request_does_not_make_the_answer_abstain(bot, question):
    """Words round the question (who is asking, "do you know") are in no source; they abstained as words the
    sources lack would."""
    reply = bot.answer(question)
    assert not reply.abstained and "5月13日" in reply.citations[0].quote


def test_the_storys_own_verb_in_english_reaches_the_articles_wording(bot):
    """"Tighten" is how the English reports put it; the article writes 加強 (CC-CEDICT gives 收緊, 拧紧): the corpus
    glossary carries it, so the question no longer abstains for want of it, and Japan's is still not answered."""
    reply = bot.answer("Did the Trump administration tighten chip controls on China?")
    assert not reply.abstained and any("加強" in c.quote or "限制措施" in c.quote for c in reply.citations)
    assert bot.answer("Did the Trump administration tighten chip controls on Japan?").abstained


def test_a_corpus_with_no_byline_answers_who_wrote_a_work_from_its_text(corpus_bot):
    """雅各書的作者是誰? asks about a work the sources describe; with no byline to quote, the sources' own sentences
    answer, as for any question (it used to abstain on every such question of the public sets)."""
    bot = corpus_bot({"letters.txt": "雅各書是新約聖經中的一卷書信。傳統上認為雅各書的作者是耶穌的兄弟雅各。\n"
                                     "彼得前書是新約聖經的另一卷書信,共有五章。\n"})
    reply = bot.answer("雅各書的作者是誰?")
    assert not reply.abstained and "耶穌的兄弟雅各" in reply.citations[0].quote


def test_the_reference_list_answers_which_reports_are_cited_whole_entries_each(bot):
    reply = bot.answer("這篇文章引用了哪些報導?")
    quotes = [c.quote for c in reply.citations]
    assert len(quotes) == 3 and all(q.endswith(("2025/05/14.", "2025/05/13.")) for q in quotes)
    assert any("AP News" in q for q in quotes) and not any("著作權" in q for q in quotes)


def test_reference_entries_and_notices_are_not_evidence_for_claims(bot):
    for question in ["What did Intel's CEO say about the export rules?", "AP News報導了什麼?"]:
        reply = bot.answer(question)
        meta = [s for sents in bot.evidence.by_chunk.values() for s in sents if s.meta]
        assert not any((c.doc_id, c.start) in {(s.doc_id, s.start) for s in meta} for c in reply.citations)


def test_a_sentence_that_leaves_its_subject_unsaid_is_read_with_its_documents_opening(corpus_bot):
    """An encyclopedia entry names its subject once; the answer sentence (分布于…) does not repeat it."""
    bot = corpus_bot({"plant.txt": "六耳铃是菊科艾纳香属的植物。多年生草本，叶片倒卵形，两面被疏柔毛。"
                                   "分布于印度尼西亚、缅甸、不丹以及中国大陆的福建、广西等地区。",
                      "fish.txt": "黄鳍紫鱼为笛鲷科的其中一个种。体长可达50公分。"})
    reply = bot.answer("六耳铃分布在哪些地区？")
    assert not reply.abstained and "印度尼西亚" in reply.text
    sentence = next(s for ss in bot.evidence.by_chunk.values() for s in ss if s.text.startswith("分布于"))
    terms = bot.open().query("六耳铃分布在哪些地区？").terms
    hits = dict(zip([t.label for t in terms], bot.evidence.hits(terms, sentence)))
    assert hits["六耳铃"] == LEAD_WEIGHT > 0 and hits["分布"] == 1.0


def test_a_clause_chosen_first_is_quoted_with_the_rest_of_its_sentence(tmp_path, embeddings):
    """；ends a clause, not a sentence: the clause that matched the question is quoted with its sentence's other
    clauses, as one exact quote; the next sentence (after 。) is not. A sentence longer than the chunker keeps
    whole is not joined."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    flower = ("夜来香为藤状灌木，小枝被柔毛，叶膜质；花冠裂片5，黄绿色，有清香气，夜间更甚；"
              "副花冠5裂，肉质，短于花药，著生于合蕊冠上，顶端渐尖。花期5至8月。")
    (corpus / "plant.txt").write_text(flower, encoding="utf-8")
    (corpus / "fish.txt").write_text("黄鳍紫鱼为笛鲷科的其中一个种。体长可达50公分。", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    bot = Assistant(settings, embeddings=embeddings)
    bot.ingest(progress=False)
    whole = flower[: flower.index("。") + 1]
    reply = bot.answer("夜来香的花冠裂片是什么颜色？")
    assert not reply.abstained and [c.quote for c in reply.citations] == [whole]
    assert (corpus / "plant.txt").read_text(encoding="utf-8")[reply.citations[0].start : reply.citations[0].end] == whole
    short = Assistant(settings.model_copy(update={"chunk_size": 20}), embeddings=embeddings)  # sentences ≤ 60 chars
    short.ingest(progress=False)
    quotes = [c.quote for c in short.answer("夜来香的花冠裂片是什么颜色？").citations]
    assert len(whole) > 60 and quotes and all(len(q) <= 60 for q in quotes)
    # a line break ends a sentence whatever mark comes before it: list items on lines of their own stay apart
    (corpus / "plant.txt").write_text(flower.replace("；副花冠", "；\n副花冠"), encoding="utf-8")
    bot.ingest(progress=False)
    quotes = [c.quote for c in bot.answer("夜来香的花冠裂片是什么颜色？").citations]
    assert quotes[0].endswith("夜间更甚；") and not any("副花冠" in q for q in quotes)


def test_a_clause_chosen_after_the_first_sentence_is_quoted_with_the_rest_of_its_sentence(tmp_path, embeddings):
    """The document's opening is chosen first (it names the tree); the clause that says what it is used for comes
    second, and is quoted with the clauses after its ；, up to its 。 (only the first chosen one was, before)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    tree = ("纽西兰鸡毛松（毛利语：kahikatea）是罗汉松科鸡毛松属的一种，纽西兰的特有种。"
            "此树高可达60米，是纽西兰最高的树。"
            "1880年代时曾广泛作为盛载牛油的盒子。"
            "对毛利人而言，此树的用途广泛，包括假种皮作为食物来源；木材可制成猎鸟的矛；心材经燃烧后可作为纹身用的颜料。")
    (corpus / "tree.txt").write_text(tree, encoding="utf-8")
    (corpus / "fish.txt").write_text("黄鳍紫鱼为笛鲷科的其中一个种。体长可达50公分。", encoding="utf-8")
    bot = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), embeddings=embeddings)
    bot.ingest(progress=False)
    quotes = [c.quote for c in bot.answer("纽西兰鸡毛松有什么用途？").citations]
    assert quotes[0].startswith("纽西兰鸡毛松")
    assert tree[tree.index("对毛利人") :] in quotes


def test_match_uses_substrings_for_chinese_and_stems_for_latin():
    term = Term("芯片", {"芯片": 1.0, "chip": 0.6})
    assert matches(term, "美国芯片出口", frozenset()) == 1.0
    assert matches(term, "the rules", frozenset({"chip"})) == 0.6
    assert matches(term, "无关", frozenset({"rule"})) == 0.0


def _sentence(text, start):
    return Sentence("c1", "d", start, start + len(text), text, text, frozenset())


def _candidates(terms, *texts):
    out = []
    for i, text in enumerate(texts):
        s = _sentence(text, i * 100)
        out.append(Candidate(s, [matches(t, s.folded, s.stems) for t in terms], 0.0))
    return out


def test_cover_stops_when_a_sentence_adds_nothing_new():
    terms = [Term("商务部", {"商务部": 1.0}, 2.0), Term("撤销", {"撤销": 1.0}, 1.0)]
    cands = _candidates(terms, "商务部撤销规定", "商务部又说", "无关的句子")
    selection = _cover(terms, cands, total=3.0, max_sentences=3)
    assert [s.text for s in selection.sentences] == ["商务部撤销规定"]
    assert selection.coverage == 1.0


def test_cover_takes_a_second_sentence_for_a_second_part():
    terms = [Term("微软", {"微软": 1.0}, 1.0), Term("欧盟", {"欧盟": 1.0}, 1.0)]
    selection = _cover(terms, _candidates(terms, "微软总裁表示", "欧盟欢迎"), total=2.0, max_sentences=3)
    assert len(selection.sentences) == 2 and selection.coverage == 1.0


def test_low_coverage_is_reported_for_abstention():
    terms = [Term("营收", {"营收": 1.0}, 4.0), Term("英伟达", {"英伟达": 1.0}, 1.0)]
    selection = _cover(terms, _candidates(terms, "英伟达面临挑战"), total=5.0, max_sentences=3)
    assert selection.coverage == 0.2


def _runner_up(priors, margin, max_sentences=3, texts=("关税暂停九十天", "关税的谈判仍在进行", "关税以外的话题")):
    terms = [Term("关税", {"关税": 1.0}, 1.0)]
    cands = _candidates(terms, *texts)
    for candidate, prior in zip(cands, priors):
        candidate.prior = prior
    selection = _cover(terms, cands, total=1.0, max_sentences=max_sentences, close_margin=margin)
    coverage = _cover(terms, cands, total=1.0, max_sentences=max_sentences).coverage
    _quote_runner_up(selection, max_sentences)
    assert selection.coverage == coverage  # the gate reads the signals of the sentences before the runner-up
    return [s.text for s in selection.sentences]


def test_a_runner_up_scoring_about_alike_is_quoted_too():
    # equal lexical gain; priors 0.30 / 0.25 / 0.0: the second is within 0.1 of the first, the third is not
    assert _runner_up([0.30, 0.25, 0.0], 0.1) == ["关税暂停九十天", "关税的谈判仍在进行"]


def test_a_runner_up_that_repeats_the_first_sentence_is_not_quoted():
    """The headline and its figure caption (圖、<headline>) score alike; quoting both says the same thing twice."""
    texts = ("关税暂停九十天", "图、关税暂停九十天", "关税的谈判仍在进行")
    assert _runner_up([0.30, 0.25, 0.0], 0.1, texts=texts) == ["关税暂停九十天"]


def test_no_runner_up_when_the_first_sentence_clearly_wins_or_none_is_wanted():
    assert _runner_up([0.30, 0.15, 0.0], 0.1) == ["关税暂停九十天"]
    assert _runner_up([0.30, 0.29, 0.0], 0.0) == ["关税暂停九十天"]
    assert _runner_up([0.30, 0.29, 0.0], 0.1, max_sentences=1) == ["关税暂停九十天"]


def _own_hits(terms, sentence, context=False):
    """What ``Evidence.hits(..., context=False)`` gives: the sentence's own words only."""
    return [matches(t, sentence.folded, sentence.stems) for t in terms]


def _lead_completed(lead_doc_texts, other_doc_text, retrieved=None):
    """Cover "夜来香分布在哪些地区" over an entry (its opening first; only its sentences numbered in ``retrieved``
    when given) and another document's sentence, then let the entry's opening be completed; returns the quoted
    texts."""
    from types import SimpleNamespace

    terms = [Term("夜来香", {"夜来香": 1.0}, 5.8), Term("分布", {"分布": 1.0}, 1.9), Term("地区", {"地区": 1.0}, 1.0)]
    entry = [Sentence("c1", "entry", i * 100, i * 100 + len(t), t, t, frozenset()) for i, t in enumerate(lead_doc_texts)]
    other = Sentence("c2", "other", 0, len(other_doc_text), other_doc_text, other_doc_text, frozenset())
    shown = entry if retrieved is None else [entry[i] for i in retrieved]
    cands = [Candidate(s, [matches(t, s.folded, s.stems) for t in terms], 0.3 if s is entry[0] else 0.0)
             for s in shown + [other]]
    selection = _cover(terms, cands, total=8.7, max_sentences=3)
    coverage = selection.coverage
    evidence = SimpleNamespace(lead=lambda doc_id: entry[0] if doc_id == "entry" else other, hits=_own_hits,
                               sentences_of=lambda doc_id: entry if doc_id == "entry" else [other])
    _complete_lead(evidence, selection, cands, terms, 3)
    assert selection.coverage == coverage  # a quoting step: the gate's signals stay those of the cover
    return [s.text for s in selection.sentences]


def test_an_opening_sentence_chosen_first_is_completed_from_its_own_document():
    """The entry's opening names the plant; where it grows is said later in the entry, not in another document."""
    quoted = _lead_completed(["夜来香是萝藦科夜来香属的植物。", "分布在亚洲、美洲、欧洲等地。", "栽培供观赏。"],
                             "雷公藤主要分布于东亚地区。")
    assert quoted[:2] == ["夜来香是萝藦科夜来香属的植物。", "分布在亚洲、美洲、欧洲等地。"]
    # nothing in the entry says more than its opening: the cover's choice stands
    assert _lead_completed(["夜来香是萝藦科夜来香属的植物。", "栽培供观赏。"], "雷公藤主要分布于东亚地区。") == \
        ["夜来香是萝藦科夜来香属的植物。", "雷公藤主要分布于东亚地区。"]


def test_an_opening_is_completed_from_a_part_of_its_document_no_passage_brought():
    """Where the plant grows is said in a chunk the question's words did not rank: the entry itself is read. A
    sentence there that holds too little of what is left asked (地区 alone) is not quoted."""
    texts = ["夜来香是萝藦科夜来香属的植物。", "栽培供观赏。", "分布在亚洲、美洲、欧洲等地。"]
    assert _lead_completed(texts, "雷公藤主要分布于东亚地区。", retrieved=[0, 1])[:2] == [texts[0], texts[2]]
    weak = ["夜来香是萝藦科夜来香属的植物。", "栽培供观赏。", "该地区多雨。"]
    assert _lead_completed(weak, "雷公藤主要分布于东亚地区。", retrieved=[0, 1]) == [weak[0], "雷公藤主要分布于东亚地区。"]


def test_the_sentence_between_two_chosen_ones_is_quoted_with_them():
    """The cover chose the first and third sentences for the question's words; the second, which holds the answer
    (the sea to the east), is quoted between them. A gap of two sentences, or a chosen sentence alone, adds none."""
    from types import SimpleNamespace

    texts = ["与常见的说法不同，阿卡王生前并没有统一北方的所有部落。", "他去世时，王国西起银湖，东到雾海。",
             "阿卡王死后，王国又向南扩张了三十年。", "王国的都城设在银湖边。"]
    doc = [Sentence("c1", "king", i * 100, i * 100 + len(t), t, t, frozenset()) for i, t in enumerate(texts)]
    evidence = SimpleNamespace(following=lambda s: doc[doc.index(s) + 1] if doc.index(s) + 1 < len(doc) else None)

    def quoted(*chosen):
        selection = Selection([doc[i] for i in chosen], 0.8)
        _quote_gap(evidence, selection)
        return [doc.index(s) for s in selection.sentences]

    assert quoted(2, 0) == [2, 0, 1]  # the composer joins the three neighbours into one quote
    assert quoted(0, 2) == [0, 1, 2]
    assert quoted(0, 3) == [0, 3]
    assert quoted(2) == [2]


def test_a_first_sentence_that_only_names_the_subject_is_completed_too():
    """据说…便是明圣王后所为 names the queen and no more than the entry's opening does; whose mother she was is said in
    the entry's next sentence. A first sentence that says more than the opening is left as the cover chose."""
    from types import SimpleNamespace

    terms = [Term("明圣王后", {"明圣王后": 1.0}, 6.1), Term("母亲", {"母亲": 1.0}, 1.9)]
    texts = ["明圣王后金氏，本贯清风。", "清风府院君之长女，肃宗的母亲。", "据说张禧嫔被逐出宫，便是明圣王后所为。"]
    entry = [Sentence("c1", "queen", i * 100, i * 100 + len(t), t, t, frozenset()) for i, t in enumerate(texts)]
    evidence = SimpleNamespace(lead=lambda doc_id: entry[0], hits=_own_hits, sentences_of=lambda doc_id: entry)
    cands = [Candidate(s, [matches(t, s.folded, s.stems) for t in terms], 0.0) for s in entry]
    selection = Selection([entry[2]], 0.76)
    _complete_lead(evidence, selection, cands, terms, 3)
    assert [s.text for s in selection.sentences] == [texts[2], texts[1]]
    other = Sentence("c2", "other", 0, 12, "她探望母亲武邑郡君。", "她探望母亲武邑郡君。", frozenset())
    full = Selection([entry[2], entry[0], other], 0.76)  # no room: the cover's choice stays
    _complete_lead(evidence, full, cands, terms, 3)
    assert full.sentences == [entry[2], entry[0], other]
    said_more = Sentence("c1", "queen", 300, 320, "明圣王后是肃宗的母亲。", "明圣王后是肃宗的母亲。", frozenset())
    selection = Selection([said_more], 1.0)
    _complete_lead(evidence, selection, cands, terms, 3)
    assert selection.sentences == [said_more]


@pytest.mark.parametrize("text, leans", [
    ("所以到了七、八月間，草原一片碧綠。", True), ("賽後，他正式結束運動生涯。", True), ("因此，規則被撤銷。", True),
    ("As a result, the rule was rescinded.", True), ("他批評拜登政府的做法。", True),
    ("後來居上的廠商不多。", True), ("美國商務部於5月13日撤銷了規定。", False), ("Later models sold well.", True),
    ("The rule split countries into three tiers.", False), ("拜登政府在卸任前訂立規定。", False),
])
def test_a_sentence_that_opens_with_a_pronoun_or_a_connective_leans_on_the_one_before(text, leans):
    from assistant.evidence import CONNECTIVE_OPENING, PRONOUN_OPENING

    assert bool(PRONOUN_OPENING.match(text) or CONNECTIVE_OPENING.match(text)) == leans


def test_a_sentence_that_opens_with_a_pronoun_is_quoted_with_the_one_that_names_whom_it_means(bot):
    """The article's 他批評… (he criticised …) follows the sentence naming Kessler: asked who criticised, the
    answer quotes both, as one quote across the boundary of their chunks."""
    reply = bot.answer("誰批評拜登政府把錯誤的AI政策強加於美國人民?")
    assert not reply.abstained and len(reply.citations) == 1
    quote = reply.citations[0]
    assert "凱斯勒" in quote.quote and "他批評" in quote.quote
    assert quote.passage[quote.start - quote.passage_start : quote.end - quote.passage_start] == quote.quote


def test_sentences_that_follow_one_another_are_one_quote_in_either_order(bot):
    """Every pair of neighbouring sentences of the article, chosen in either order: one citation whose quote is
    the source text from the first's start to the second's end (its passage holds it), unless a line break
    lies between them (or no passage holds what does)."""
    snapshot = bot.open()
    evidence, composer = snapshot.evidence, snapshot.composer
    pairs = 0
    for chunk in bot.index.chunks:
        for first in evidence.by_chunk[chunk.id]:
            second = evidence.following(first)
            if second is None or second.chunk_id != first.chunk_id and second.start < chunk.end:
                continue
            covering = [c for c in bot.index.chunks if c.doc_id == first.doc_id and c.start <= first.end
                        and second.start <= c.end]  # where the text between them can be read
            between = covering[0].sentence_text(first.end, second.start) if covering else None
            for order in ([first, second], [second, first]):
                citations = composer.extractive(order, "zh-Hant", []).citations
                if between is None or "\n" in between:
                    assert len(citations) == 2
                    continue
                assert len(citations) == 1, (first.text, second.text)
                c = citations[0]
                assert (c.start, c.end) == (first.start, second.end)
                assert c.quote.startswith(first.text) and c.quote.endswith(second.text)
                assert c.passage[c.start - c.passage_start : c.end - c.passage_start] == c.quote
            pairs += 1
    assert pairs > 20


@pytest.mark.parametrize("question, kind", [
    ("這篇文章的作者是誰?", "byline"), ("Who wrote this piece?", "byline"), ("这篇分析是谁写的?", "byline"),
    ("作者叫什麼名字?", "byline"), ("作者是?", "byline"), ("What is the author's name?", "byline"),
    ("作者認為輝達的處境如何?", None), ("What does the author argue about export rules?", None),
    ("作者建议投资人注意什么?", None), ("文章引用了哪些報導?", "references"),
    # where and when the source itself ran, but not what it says was published, nor another work's author
    ("這篇分析刊登在哪個網站?", "byline"), ("When was the article first published?", "byline"),
    ("What outlet is this article from?", "byline"), ("文章提到川普何時發表演說?", None),
    ("What does the article say the Commerce Department published?", None), ("美國商務部何時發布新規?", None),
    ("《醫學寶鑑》的作者是誰?", None), ("Who wrote the poem The Mark of Anarchy?", None),
    ("Who wrote about the distillation of sea water?", None), ("Who is the author of Hamlet?", None),
    ("輝達執行長引用了什麼數字?", None), ("這篇分析參考了什麼資料?", "references"),
    ("霍布斯的第一份引發爭議的文章於何年發表?", None),
    # the source named with its outlet
    ("Who wrote the iKnow article and when?", "byline"), ("When was the iKnow piece published?", "byline"),
    ("What is the iKnow article about?", "title"),
    # its title, or what it is about, but not what it says about something
    ("What is the title of the article?", "title"), ("本文主旨为何?", "title"), ("What is this article mainly about?", "title"),
    ("What does the article say about Huawei?", None), ("文章對輝達的重點評估是什麼?", None),
    ("請總結這篇文章", "title"), ("Summarize the article.", "title"),
    ("這篇文章的資料來源有哪些?", "references"), ("文章說中國的晶片來源有哪些?", None), ("文章說黃仁勳引用了什麼數字?", None),
])
def test_a_question_about_the_source_asks_who_wrote_it_where_and_when_it_ran_its_title_or_what_it_cites(question, kind):
    from assistant.answertype import about_source

    assert about_source(question) == kind
