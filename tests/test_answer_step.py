"""The answer step's parts: answer types, English sentences, document frequencies, the gate, any corpus."""

import pytest

from assistant import Assistant, Settings
from assistant.answertype import asks, holds
from assistant.chunking import sentences
from assistant.evidence import LEAD_WEIGHT
from assistant.weights import absent_share, absent_weight, general_weight


@pytest.mark.parametrize("question, kind", [
    ("AI擴散規則原定何時生效?", "date"), ("When did the rule take effect?", "date"), ("哪一年爆發?", "date"),
    ("黃仁勳估計市場值多少錢?", "number"), ("How many tiers are there?", "number"),
    ("美國商務部次長是誰?", "person"), ("Who heads Nvidia?", "person"), ("What did Citi warn about?", None),
])
def test_questions_ask_for_a_kind_of_answer(question, kind):
    assert asks(question) == kind


def test_a_sentence_holds_the_asked_value_only_if_the_question_lacks_it():
    assert holds("date", "美國商務部於5月13日正式撤銷了規定。", "何時撤銷?")
    assert not holds("date", "美國商務部於5月13日正式撤銷了規定。", "5月13日發生了什麼?")
    assert holds("number", "The rule split countries into three tiers.", "How many tiers?")
    assert not holds("number", "其就會設計降規晶片。", "有多少晶片?")
    assert not holds(None, "anything 2025", "what?")


def test_english_sentences_end_at_full_stops_but_not_after_abbreviations():
    text = "Mr. Smith met U.S. officials on Jan. 5. They spoke for an hour. DECnet was made by Digital Equipment Corp. in 1975."
    pieces = [text[s.start : s.end] for s in sentences(text)]
    assert pieces == ["Mr. Smith met U.S. officials on Jan. 5.", "They spoke for an hour.",
                      "DECnet was made by Digital Equipment Corp. in 1975."]


def test_common_words_weigh_less_and_absence_counts_by_corpus_size():
    assert general_weight(0) == 1.0 > general_weight(3.5) > general_weight(6.0)
    # a name no source holds always counts; a common word's absence only in a corpus big enough to hold it
    assert absent_weight(0, 1_000) == 1.0
    assert absent_weight(5.0, 1_000) < 0.5 < absent_weight(5.0, 100_000)


def test_document_frequency_from_postings_matches_a_scan_of_every_chunk(bot):
    index, analyzer = bot.index, bot.analyzer
    folded = [analyzer.fold(c.text) for c in index.chunks]
    for word in ["芯片", "英伟达", "商务部", "黄仁勋", "关税", "沙特阿拉伯", "不存在的词"]:
        assert index.df([word]) == sum(word in text for text in folded), word


def test_a_name_jieba_cuts_apart_is_matched_whole(bot):
    terms = bot.open().query("海湖莊園在哪裡?").terms
    assert any("海湖庄园" in t.variants and t.df > 0 for t in terms)


def test_a_folder_without_a_lexicon_ingests_and_answers_in_its_language(tmp_path, embeddings):
    from assistant import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tides.txt").write_text("月球的引力使海水每天涨落两次,这就是潮汐。大潮出现在新月和满月前后。", encoding="utf-8")
    (corpus / "volcano.txt").write_text("\ufeff富士山最後一次噴發是在1707年。火山由岩漿噴出形成。", encoding="utf-8")
    bot = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), embeddings=embeddings)
    bot.ingest(progress=False)
    assert {d["language"] for d in bot.index.docs.values()} == {"zh-Hans", "zh-Hant"}
    reply = bot.answer("富士山最後一次噴發是哪一年?")
    assert not reply.abstained and "1707" in reply.text and not reply.text.startswith("來源為英文")
    cite = reply.citations[0]
    # a file with a BOM: offsets count from the first character after it (read with utf-8-sig)
    assert (corpus / "volcano.txt").read_text(encoding="utf-8-sig")[cite.start : cite.end] == cite.quote
    # outside the checkout, sources are named relative to the corpus folder, never by absolute path
    assert cite.source == "volcano.txt" and str(tmp_path) not in str(reply.to_dict())


@pytest.mark.parametrize("question", ["這篇文章的作者是誰?", "Who wrote this piece?", "这篇分析是谁写的?"])
def test_the_author_question_is_answered_from_the_byline(bot, question):
    reply = bot.answer(question)
    assert not reply.abstained and "黃松勳" in reply.citations[0].quote


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


def test_names_are_found_in_both_languages(bot):
    assert {"japan", "intel"} <= bot.analyzer.proper_nouns("Did Japan or Intel respond?")
    assert "苏姿丰" in bot.analyzer.proper_nouns("AMD的CEO苏姿丰怎么评价新规则?")


def test_a_paraphrase_word_reaches_the_sources_word_through_a_shared_gloss(bot):
    """原先 (not in the article) shares CC-CEDICT's "originally" with 原定 (in it)."""
    assert "原定" in bot.index.tables["pivot"].get("原先", [])
    terms = bot.open().query("這項規定原先排定何時上路?").terms
    original = next(t for t in terms if t.label == "原先")
    assert original.df > 0 and original.variants["原定"] < 1.0


def test_a_sentence_that_leaves_its_subject_unsaid_is_read_with_its_documents_opening(tmp_path, embeddings):
    """An encyclopedia entry names its subject once; the answer sentence (分布于…) does not repeat it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plant.txt").write_text(
        "六耳铃是菊科艾纳香属的植物。多年生草本，叶片倒卵形，两面被疏柔毛。"
        "分布于印度尼西亚、缅甸、不丹以及中国大陆的福建、广西等地区。", encoding="utf-8")
    (corpus / "fish.txt").write_text("黄鳍紫鱼为笛鲷科的其中一个种。体长可达50公分。", encoding="utf-8")
    bot = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), embeddings=embeddings)
    bot.ingest(progress=False)
    reply = bot.answer("六耳铃分布在哪些地区？")
    assert not reply.abstained and "印度尼西亚" in reply.text
    sentence = next(s for ss in bot.evidence.by_chunk.values() for s in ss if s.text.startswith("分布于"))
    terms = bot.open().query("六耳铃分布在哪些地区？").terms
    hits = dict(zip([t.label for t in terms], bot.evidence.hits(terms, sentence)))
    assert hits["六耳铃"] == LEAD_WEIGHT > 0 and hits["分布"] == 1.0


def test_a_lone_character_missing_as_a_token_is_not_counted_as_absent(bot):
    """事 is in the article only inside words (事實, 事件): jieba never indexes it alone."""
    terms = bot.open().query("輝達出了什麼事?").terms
    thing = next(t for t in terms if t.label == "事")
    assert thing.df == 0 and thing.weight < 1.0 and absent_share(terms) == 0.0


def test_an_untranslatable_rare_name_in_another_language_does_not_count_against_answering(bot):
    """The article is in Chinese: Piketty has no dictionary rendering; Japan has one (日本) the article lacks."""
    question = "What did Kesslerova and Japan say about the Nvidia chips?"
    terms = {t.label: t for t in bot.open().query(question).terms}
    assert terms["kesslerova"].df == 0 and terms["kesslerova"].weight == 0.0
    assert terms["japan"].df == 0 and terms["japan"].weight > 1.0
    same = "輝達的晶片是Kesslerova說的嗎?"  # asked in the sources' own language, an unknown name counts fully
    assert next(t for t in bot.open().query(same).terms if t.label == "kesslerova").weight > 1.0


def test_an_english_terms_weight_follows_the_questions_own_word(bot):
    """How common a word is comes from the word the question used (quarterly), not from whichever word with
    the same stem the analyzer happened to see first: answers must not depend on what ran before."""
    terms = {t.label: t for t in bot.open().query("What was Nvidia's quarterly revenue growth?").terms}
    assert terms["quarter"].surface == "quarterly" and terms["nvidia"].surface == "nvidia"
    bot.analyzer.stem("quarters")  # seeing another form first changes nothing
    again = {t.label: t.weight for t in bot.open().query("What was Nvidia's quarterly revenue growth?").terms}
    assert again == {label: t.weight for label, t in terms.items()}
