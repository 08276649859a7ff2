"""Query stage: the analyzer (scripts, words, stems), question terms and their variants, and their weights."""

import pytest

from assistant.answertype import asks, split_preface
from assistant.crosslingual import Glossary, build_tables, definition_words
from assistant.query import LEMMA_WEIGHT, SPELLING_WEIGHT, QueryAnalyzer, Term
from assistant.text import Analyzer
from assistant.weights import absent_share, absent_weight, general_weight
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(ROOT / "corpus" / "lexicon")


@pytest.mark.parametrize(
    "traditional, simplified",
    [("晶片", "芯片"), ("輝達", "英伟达"), ("川普", "特朗普"), ("沙烏地阿拉伯", "沙特"), ("華府", "华盛顿")],
)
def test_regional_variants_fold_to_one_form(analyzer, traditional, simplified):
    assert analyzer.fold(traditional) == analyzer.fold(simplified)


def test_words_are_stemmed_alike_by_threads_at_once():
    """Answers that wait on a language model run in threads side by side, and each analyses sentences: the Snowball
    stemmer keeps the word it works on in itself, so two threads at once raised IndexError (seen in a web test)."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    import snowballstemmer

    draw = random.Random(0)
    words = ["".join(draw.choices("aeioulnrstdcmp", k=draw.randint(3, 12))) + end
             for _ in range(3000) for end in ("ing", "ational", "ness", "ments")]
    analyzer = Analyzer(ROOT / "corpus" / "lexicon")  # its own, with no stems remembered yet
    parts = [words[i::4] for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        stems = [stem for part in pool.map(lambda part: [analyzer.stem(w) for w in part], parts) for stem in part]
    alone = snowballstemmer.stemmer("english")
    assert stems == [alone.stemWord(w) for part in parts for w in part]


def test_words_are_folded_segmented_and_stemmed(analyzer):
    words = analyzer.words("美國商務部撤銷了 Export Controls 的規定")
    assert "撤销" in words and "规定" in words
    assert "export" in words and "control" in words
    assert "的" not in words and "了" not in words


def test_index_tokens_add_bigrams_for_unknown_names(analyzer):
    tokens = analyzer.tokens("凱斯勒表示")
    assert "#凯斯" in tokens and "#斯勒" in tokens


def test_accented_and_full_width_letters_are_written_plain_and_an_ampersand_joins_a_word(analyzer):
    # Temüjin and Temujin are one word, not "tem" and "jin"; the V&A is not two dropped letters
    assert analyzer.words("Temüjin rose at the V&A in Zürich") == analyzer.words("Temujin rose at the v&a in Zurich")
    assert "temujin" in analyzer.words("Temüjin") and "v&a" in analyzer.words("the V&A")
    assert analyzer.words("Ørsted, Straße") == ["orst", "strass"]
    # full-width letters and digits, as a Chinese input method types them, are their ASCII twins
    assert analyzer.words("ＡＩ晶片２０２５年") == analyzer.words("AI晶片2025年") == ["ai", "芯片", "2025", "年"]
    assert analyzer.fold("美國，ＡＩ？") == "美国，AI？"  # full-width punctuation stays
    # a typographic apostrophe is an apostrophe: "didn’t" is not the word "didn", nor "won’t" the past of "win"
    assert analyzer.words("Why didn’t Nvidia’s chips sell? They won’t.") == \
        analyzer.words("Why didn't Nvidia's chips sell? They won't.")
    # a CC-CEDICT sense that spells the name with its accent reaches a question that does not
    assert definition_words("Ögedei Khan (1186-1242), a son of Genghis Khan", analyzer) == [["ogedei"]]


@pytest.mark.parametrize(
    "question, script",
    [("英伟达的芯片市场有多大?", "zh-Hans"), ("輝達的晶片市場有多大?", "zh-Hant"), ("How big is the market?", "en"),
     ("What did 黃仁勳 say about the chip export rules?", "en")],
)
def test_script_detection(analyzer, question, script):
    assert analyzer.script(question) == script


def test_simplified_rendering_uses_the_lexicons_mainland_wording_and_keeps_the_sources_sense(analyzer):
    assert analyzer.to_simplified("AI晶片市場") == "AI芯片市场"
    assert analyzer.to_simplified("輝達執行長黃仁勳") == "英伟达首席执行官黄仁勋"
    # OpenCC's Taiwan phrase table would write 拷贝 ("copy a file") for 複製 ("replicate") and 消息 ("news") for
    # 訊息 ("message"); the rendering keeps the character-level conversion where the lexicon says nothing
    assert analyzer.to_simplified("在其他國家複製成功案例") == "在其他国家复制成功案例"
    assert analyzer.to_simplified("傳達了一個訊息") == "传达了一个信息"
    assert analyzer.to_simplified("標誌著美國政策轉向") == "标志着美国政策转向"
    # a name changes script only: the lexicon writes 資訊 as 信息, but the outlet's name is 资讯室
    byline = "科技產業資訊室(iKnow) - 黃松勳 發表於 2025年5月15日"
    assert analyzer.to_simplified(byline).startswith("科技产业信息室")
    assert analyzer.to_simplified(byline, names=("科技產業資訊室", "黃松勳")) == "科技产业资讯室(iKnow) - 黄松勋 发表于 2025年5月15日"


def test_a_contracted_function_word_is_read_as_its_full_form_not_as_a_word_no_source_holds(analyzer):
    """isn't, can't and they'd were words of their own: no source held them, so each weighed as the question's
    rarest word and counted against answering."""
    assert analyzer.words("Why isn't Nvidia able to sell, and why can't it? They'd say we're late") == [
        "nvidia", analyzer.stem("able"), "sell", "late"]  # "say" is a stopword
    assert analyzer.words("Kublai's court") == ["kublai", "court"]  # a possessive, as before
    assert analyzer.words("O'Neill") == [analyzer.stem("o'neill")]  # a name's apostrophe is not a clitic


def test_cedict_definitions_keep_short_senses_only(analyzer):
    assert definition_words("to export", analyzer) == [["export"]]
    assert definition_words("CL:個|个[ge4]", analyzer) == []
    assert definition_words("a very long sense with many different content words", analyzer) == []
    assert definition_words("super-; ultra-", analyzer) == [["super"], ["ultra"]]  # a prefix is the bare word


def test_cedict_editorial_words_are_no_glosses(analyzer):
    """CC-CEDICT marks senses with "fig.", "lit.", "sb", "sth" and "etc": read as words, "fig" bridged 閹割 ("fig. to
    emasculate") to 價值 ("fig. values"). The marks go; a literal rendering of an idiom is not a sense at all."""
    stem = analyzer.stem
    assert definition_words("fig. to emasculate", analyzer) == [[stem("emasculate")]]
    assert definition_words("lit. to eat vinegar; fig. to be jealous", analyzer) == [[stem("jealous")]]
    assert definition_words("to harm sb's interests", analyzer) == [[stem("harm"), stem("interests")]]
    assert definition_words("tools etc", analyzer) == [[stem("tools")]]
    assert definition_words("fig (fruit)", analyzer) == [["fig"]]  # the fruit stays
    tables = build_tables(analyzer, {"价值", "fig"})
    assert "阉割" not in tables["pivot"] and "价值" not in tables["en2zh"].get("fig", [])


def test_a_word_of_a_name_far_commoner_than_the_rest_does_not_stand_for_it(analyzer):
    """CC-CEDICT glosses 达尔文 "Charles Darwin" and 纽芬兰 "Newfoundland Island": read word by word, Charles became
    达尔文 and an English question's "Islands" matched 纽芬兰 in a passage about Newfoundland; a Chinese question's
    成吉思汗 ("Genghis Khan"), absent from the sources, pivoted through "khan" to any 可汗. A name's first name or
    class word does not render it; its rarer words do, and words alike in rarity each still do."""
    stem = analyzer.stem
    assert definition_words("Charles Darwin (1809-1882), British biologist", analyzer) == [[stem("darwin")]]
    assert definition_words("Newfoundland Island, Canada", analyzer) == [[stem("newfoundland")]]
    assert definition_words("Hong Kong", analyzer) == [["hong", "kong"]]
    assert definition_words("Barbara or Barbra (name)", analyzer) == [[stem("barbara"), stem("barbra")]]
    assert definition_words("upper part (of it)", analyzer) == [[stem("upper"), stem("part")]]  # no name: as before
    tables = build_tables(analyzer, {"达尔文", "纽芬兰", "可汗", "岛"})
    assert "达尔文" not in tables["en2zh"].get(stem("charles"), []) and tables["en2zh"][stem("darwin")] == ["达尔文"]
    assert "纽芬兰" not in tables["en2zh"][stem("island")]
    assert "可汗" not in tables["pivot"].get("成吉思汗", [])


def test_a_paraphrase_bridges_through_what_a_sense_names(analyzer):
    """股價 is glossed "stock price; share price": it names a price. A source's 部分 ("part; share") is no paraphrase
    of it, though English spells both "share"; the sources' 價格 is. A translation still takes every word."""
    tables = build_tables(analyzer, {"部分", "分享", "价格"})
    assert tables["pivot"]["股价"] == ["价格"]
    assert "部分" in tables["en2zh"]["share"]


def test_the_dictionary_cache_key_follows_the_code_that_reads_it(analyzer, monkeypatch):
    """A table cached by other code under the same analyzer version (a branch, an upgrade that forgot to bump it)
    is never read back: the key holds a fingerprint of the reading code."""
    from assistant import crosslingual

    key = crosslingual._cedict_key(analyzer)
    monkeypatch.setattr(crosslingual, "_code_key", lambda: "other-code")
    assert crosslingual._cedict_key(analyzer) != key


def test_a_long_verb_sense_gives_its_head_verb_unless_the_verb_is_light(analyzer):
    """复原 is glossed "to restore (sth) to (its) former condition": "restored" in an English question reaches a
    Chinese source that writes 复原. 上路 "to set out on a journey" says nothing of setting anything."""
    assert definition_words("to restore (sth) to (its) former condition", analyzer) == [[analyzer.stem("restore")]]
    assert definition_words("to set out on a journey", analyzer) == []
    stem = analyzer.stem  # two-word senses keep both words, light verb or not
    assert definition_words("to take effect; to come into force", analyzer) == [[stem("take"), stem("effect")],
                                                                                [stem("come"), stem("force")]]


def test_an_abbreviation_a_definition_spells_out_is_a_sense_of_its_own(analyzer):
    """人工智能 is glossed "artificial intelligence (AI)": a Chinese question saying 人工智能 reaches a source
    that writes AI, and an English "WTO" reaches 世界贸易组织. A label in parentheses is no abbreviation."""
    assert ["ai"] in definition_words("artificial intelligence (AI)", analyzer)
    assert ["wto"] in definition_words("World Trade Organization (WTO)", analyzer)
    assert ["tcm"] not in definition_words("san'ao decoction (TCM)", analyzer)
    assert ["plan"] not in definition_words("People's Liberation Army Navy (PLAN)", analyzer)  # a common word
    tables = build_tables(analyzer, {"ai", "芯片"})
    assert "ai" in tables["zh2en"]["人工智能"]


def test_a_headword_the_corpus_writes_inside_a_longer_run_is_a_fallback_translation(analyzer):
    """四分卫 (quarterback) is no token of a corpus where jieba cut it otherwise, but its character pairs are; so is
    a two-character headword the corpus writes only inside longer words (法令 of 法令集)."""
    tables = build_tables(analyzer, {"球队"}, {"#四分", "#分卫", "#法令"}.__contains__)
    assert tables["en2zh"]["quarterback"] == ["四分卫"]
    decree = analyzer.stem("decree")
    assert "法令" in tables["en2zh"][decree]
    assert decree not in build_tables(analyzer, {"球队"}, {"#四分"}.__contains__)["en2zh"]  # no pair of 法令
    assert "quarterback" not in build_tables(analyzer, {"球队"}, {"#四分"}.__contains__)["en2zh"]  # 分卫 is not in the corpus


def test_english_question_terms_reach_chinese_words(analyzer):
    glossary = Glossary(analyzer)
    tables = {"en2zh": {"export": ["出口"], "tariff": ["关税"]}, "zh2en": {}}
    terms = QueryAnalyzer(analyzer, glossary, tables, 0.6).terms("Did the Commerce Department export tariffs?")
    by_label = {t.label: t for t in terms}
    assert by_label["commerce department"].variants["商务部"] == 0.6
    assert by_label["export"].variants == {"export": 1.0, "出口": 0.6}
    assert "关税" in by_label["tariffs"].variants


def test_a_roman_numeral_after_a_name_reaches_its_digits_and_regnal_number(analyzer):
    terms = QueryAnalyzer(analyzer, Glossary(analyzer), {"en2zh": {}, "zh2en": {}}, 0.6).terms(
        "Did Henry III watch Super Bowl XLIX in Washington DC?")
    by_label = {t.label: t.variants for t in terms}
    assert by_label["xlix"] == {"xlix": 1.0, "49": 0.6}
    assert by_label["iii"] == {"iii": 1.0, "3": 0.6, "三世": 0.6}
    assert by_label["dc"] == {"dc": 1.0}  # C, D and M are left to acronyms
    # the names stay names beside the numerals' renderings
    assert {t.label for t in terms if t.proper} >= {"henri", "washington"}


def test_chinese_question_terms_reach_english_words(analyzer):
    glossary = Glossary(analyzer)
    terms = QueryAnalyzer(analyzer, glossary, {"en2zh": {}, "zh2en": {"关税": ["tariff"]}}, 0.5).terms("關稅呢?")
    assert terms[0].variants == {"关税": 1.0, "tariff": 0.5}


def test_a_misspelt_name_also_matches_the_sources_spelling_but_a_dictionary_word_does_not(analyzer):
    held = {"zeira", "galor", "bendigo", "ballarat", "train", "stain"}
    queries = QueryAnalyzer(analyzer, Glossary(analyzer), {}, 0.6, held.__contains__)
    by_label = {t.label: t for t in queries.terms("When did Galor and Zeria reach Bedigo under strain?")}
    assert by_label["zeria"].variants == {"zeria": 1.0, "zeira": SPELLING_WEIGHT}
    assert by_label["bedigo"].variants == {"bedigo": 1.0, "bendigo": SPELLING_WEIGHT}
    assert by_label["galor"].variants == {"galor": 1.0}  # the sources hold it as asked
    assert set(by_label[analyzer.stem("strain")].variants) == {analyzer.stem("strain")}  # a word, not a misspelling


def test_a_misspelt_word_reaches_the_sources_language_through_its_one_translatable_spelling(analyzer):
    """Over Chinese sources an English word has no source spelling to be near; a word one edit from a single stem
    the tables translate takes that stem's renderings (difusion → 扩散). Two such stems (recind: remind or
    rescind?) give neither."""
    stem = analyzer.stem
    tables = {"en2zh": {stem("diffusion"): ["扩散"], stem("remind"): ["提醒"], stem("rescind"): ["撤销"]}, "zh2en": {}}
    queries = QueryAnalyzer(analyzer, Glossary(analyzer), tables, 0.6, lambda word: False)
    by_label = {t.label: t for t in queries.terms("When was the difusion rule recinded?")}
    assert by_label[stem("difusion")].variants == {stem("difusion"): 1.0, stem("diffusion"): SPELLING_WEIGHT,
                                                   "扩散": SPELLING_WEIGHT * 0.6}
    assert by_label[stem("recinded")].variants == {stem("recinded"): 1.0}


def test_a_request_wrapped_round_the_question_adds_no_terms(analyzer):
    """"know" and 知道 are the asker's words, not what is asked; as terms no source holds they counted against
    answering (Do you know who the undersecretary of commerce is? abstained)."""
    queries = QueryAnalyzer(analyzer, Glossary(analyzer), {}, 0.6)
    labels = lambda q: [t.label for t in queries.terms(q)]  # noqa: E731
    assert labels("Do you know who the undersecretary of commerce is?") == labels("Who is the undersecretary of commerce?")
    assert labels("I'd like to know when the rule was rescinded.") == labels("When was the rule rescinded?")
    assert labels("我想知道黃仁勳估計中國市場價值多少") == labels("黃仁勳估計中國市場價值多少")
    assert labels("麻煩問一下,輝達的降規晶片叫什麼?") == labels("輝達的降規晶片叫什麼?")
    assert labels("Quick question: who is the undersecretary?") == labels("Who is the undersecretary?")
    assert labels("解釋一下AI擴散規則") == labels("介紹一下AI擴散規則") == labels("AI擴散規則")
    assert labels("Explain the AI diffusion rule.") == labels("What is the AI diffusion rule?")
    assert analyzer.fold("描述") in labels("描述追求和諧世界的作品名為什麼?")  # what is asked about (DRCD), not a request
    assert analyzer.stem("know") in labels("What did Kessler know about the rule?")  # a verb of the question itself
    assert analyzer.stem("member") in labels("Tell members of the senate what?")  # "tell me" only as words
    # a name right after the request is still a name (it does not begin the reader's sentence)
    japan = next(t for t in queries.terms("Explain Japan's response to the rule.") if t.label == "japan")
    assert japan.proper


def test_colloquial_question_words_and_interjections_are_not_terms(analyzer):
    """啥時候, 為啥, 咋 and 欸 or 喔 are how a reader asks, in no source: as terms they counted against answering
    (欸,美國商務部是啥時候撤銷AI擴散規則的喔? abstained, 美國商務部何時撤銷AI擴散規則? answers)."""
    assert analyzer.words("欸,美國商務部是啥時候撤銷AI擴散規則的喔?") == analyzer.words("美國商務部何時撤銷AI擴散規則?")
    assert analyzer.words("為啥川普要撤銷規則啊?") == analyzer.words("為什麼川普要撤銷規則?")
    assert analyzer.words("黃仁勳幾時去沙烏地阿拉伯?") == analyzer.words("黃仁勳何時去沙烏地阿拉伯?")
    assert asks("美國商務部是啥時候撤銷規則的?") == asks("黃仁勳幾時去沙烏地阿拉伯?") == "date"


def test_statements_before_a_question_are_its_context_not_what_it_asks(analyzer):
    """A reader may say who they are or what they mean first; those words are carried, as an earlier turn's are:
    they may name what the question calls "its", and their words no source holds do not count against answering."""
    assert split_preface("I'm a journalist in Taipei. When was the rule rescinded?") == (
        "I'm a journalist in Taipei.", "When was the rule rescinded?")
    assert split_preface("我是台北的記者。美國商務部何時撤銷規則?") == ("我是台北的記者。", "美國商務部何時撤銷規則?")
    assert split_preface("What did U.S. officials say?") == ("", "What did U.S. officials say?")  # no break in U.S.
    assert split_preface("When was it rescinded? Who announced it?")[0] == ""  # two questions: nothing before them
    assert split_preface("Nvidia. China. Rules.")[0] == ""  # no question mark: all of it is asked
    # a statement not about the reader is what the question asks about (DRCD), and a quote is not the reader's
    assert split_preface("電荷守恆定律,即總電量不變。這個理論是誰發現的?")[0] == ""
    assert split_preface("「我那天晚上提出了這個問題!」此話為何人所言?")[0] == ""
    assert split_preface("What strains of y. pestis were found?")[0] == ""
    queries = QueryAnalyzer(analyzer, Glossary(analyzer), {}, 0.6)
    terms = queries.question_terms("I am researching Nvidia in Taipei. What did its CEO estimate?")
    assert {t.label for t in terms if not t.carried} == {t.label for t in queries.terms("What did its CEO estimate?")}
    assert {t.label for t in terms if t.carried} >= {"nvidia", analyzer.stem("taipei")}


def test_what_kind_of_and_how_many_frame_the_question_and_are_not_terms(analyzer):
    queries = QueryAnalyzer(analyzer, Glossary(analyzer), {}, 0.6)
    labels = {t.label for t in queries.terms("What kind of chips did Nvidia design?")}
    assert analyzer.stem("kind") not in labels and analyzer.stem("design") in labels
    assert analyzer.stem("type") in {t.label for t in queries.terms("Is the type 2 rule stricter?")}
    # "how many" and "how much" ask for a number, as 多少 does: neither word is a term
    labels = {t.label for t in queries.terms("How many tiers, and how much money, did Nvidia lose?")}
    assert not {analyzer.stem("many"), analyzer.stem("much")} & labels and analyzer.stem("money") in labels
    assert analyzer.stem("many") in {t.label for t in queries.terms("Did many countries object?")}


@pytest.mark.parametrize(("question", "kept", "dropped"), [
    ("李白幾歲時離開四川?", "岁", "几岁"),
    ("圜丘壇總共有幾層壇面?", "层", "几层"),
    ("「Harvey」是甚麼動物?", "动物", "甚么"),  # 甚麼: Taiwan's common spelling of 什麼
    ("幾何學從哪裡開始?", "几何学", "学"),  # geometry is a word, not a question
])
def test_a_question_word_is_cut_from_its_measure_word(analyzer, question, kept, dropped):
    """jieba keeps 幾歲, 幾層 and 甚麼 as words no source holds; they would weigh as rare words the sources lack."""
    words = analyzer.words(question)
    assert kept in words and dropped not in words


def test_an_irregular_english_form_also_matches_its_dictionary_form_and_its_translations(analyzer):
    """won → win (and CC-CEDICT's 获胜 for "win"), which the stemmer alone never joins."""
    queries = QueryAnalyzer(analyzer, Glossary(analyzer), {"en2zh": {"win": ["获胜"]}}, 0.6)
    won = next(t for t in queries.terms("Who won the vote?") if t.label == "won")
    assert won.variants == {"won": 1.0, "win": LEMMA_WEIGHT, "获胜": 0.6}
    rules = next(t for t in queries.terms("Which rules changed?") if t.label == analyzer.stem("rules"))
    assert rules.variants == {analyzer.stem("rules"): 1.0}  # a regular form: the stem already joins them


def test_carried_terms_are_marked(analyzer):
    queries = QueryAnalyzer(analyzer, Glossary(analyzer), {}, 0.6)
    terms = queries.terms("那歐盟呢?", carried="微軟總裁怎麼評論規則?")
    assert [t.carried for t in terms if t.label == "欧盟"] == [False]
    assert any(t.carried and t.label == "微软" for t in terms)


def test_glossary_phrases_become_the_tokens_the_index_holds(analyzer):
    glossary = Glossary(analyzer)
    indexed = analyzer.tokens("U.S. export controls on Mar-a-Lago guests")
    for phrase in ("u.s.", "export controls", "mar-a-lago"):
        stems = glossary.english_stems(phrase)
        assert stems and all(s in indexed for s in stems), phrase


def test_common_words_weigh_less_and_absence_counts_by_corpus_size():
    assert general_weight(0) == 1.0 > general_weight(3.5) > general_weight(6.0)
    # a name no source holds always counts; a common word's absence only in a corpus big enough to hold it
    assert absent_weight(0, 1_000) == 1.0
    assert absent_weight(5.0, 1_000) < 0.5 < absent_weight(5.0, 100_000)
    # a rare word that says what is done (排定, 划成) counts only as surely as the corpus would hold it by chance
    assert absent_weight(2.8, 3_000) > 0.8
    assert 0 < absent_weight(2.8, 3_000, naming=False) < 0.01
    assert absent_weight(5.0, 1_000, naming=False) == absent_weight(5.0, 1_000)


def test_a_chinese_verb_no_source_holds_counts_by_chance_not_as_a_missing_subject(bot, analyzer):
    """排定 (to schedule) and 划成 (to divide into) are how a reader rephrases 原定 and 分為; 金兵 (Jin soldiers) or a
    place is what a question is about."""
    assert analyzer.predicative("排定") and analyzer.predicative("盯紧") and analyzer.predicative("真的")
    assert not any(analyzer.predicative(w) for w in ("金兵", "原产地", "佛州", "rule"))
    weights = {t.label: t.weight for t in bot.open().query("這項規定原先被劃成幾層?").terms}
    nouns = {t.label: t.weight for t in bot.open().query("這項規定原先的金兵何時上路?").terms}
    assert weights["划成"] < 0.1
    assert nouns["金兵"] > 3.0
    # 排定 is no word of the article, but 定於 ("fixed for", of 原定於) shares its gloss: a paraphrase, matched
    scheduled = next(t for t in bot.open().query("這項規定原先排定何時上路?").terms if t.label == "排定")
    assert scheduled.df > 0 and "定于" in scheduled.variants


def test_document_frequency_from_postings_matches_a_scan_of_every_chunk(bot):
    index, analyzer = bot.index, bot.analyzer
    folded = [analyzer.fold(c.text) for c in index.chunks]
    for word in ["芯片", "英伟达", "商务部", "黄仁勋", "关税", "沙特阿拉伯", "不存在的词"]:
        assert index.df([word]) == sum(word in text for text in folded), word


def test_a_name_jieba_cuts_apart_is_matched_whole(bot):
    terms = bot.open().query("海湖莊園在哪裡?").terms
    assert any("海湖庄园" in t.variants and t.df > 0 for t in terms)


def test_a_lone_character_is_not_glued_to_a_word_the_sources_hold(bot):
    """用 + 華為: the article holds 用华为 as a token (jieba's HMM glued it once), but the sentence that answers
    may say 華為 with anything before it; 華為 stays the term. Names cut apart are still rejoined (above)."""
    assert bot.index.df(["用华为"]) > 0
    labels = {t.label for t in bot.open().query("用華為的AI處理器為什麼會出問題?").terms}
    assert "华为" in labels and "用华为" not in labels


def test_names_are_found_in_both_languages(bot):
    assert {"japan", "intel"} <= bot.analyzer.proper_nouns("Did Japan or Intel respond?")
    assert "苏姿丰" in bot.analyzer.proper_nouns("AMD的CEO苏姿丰怎么评价新规则?")


def test_a_question_typed_in_full_width_is_answered_as_in_half_width(bot):
    half, full = bot.answer("美國何時撤銷AI擴散規則?"), bot.answer("美國何時撤銷ＡＩ擴散規則？")
    assert not half.abstained and half.citations
    # the same terms, so the same sentences at the same gate confidence (without ＡＩ the confidence differs)
    assert [c.quote for c in full.citations] == [c.quote for c in half.citations] and full.reason == half.reason


def test_a_paraphrase_word_reaches_the_sources_word_through_a_shared_gloss(bot):
    """原先 (not in the article) shares CC-CEDICT's "originally" with 原定 (in it)."""
    assert "原定" in bot.index.tables["pivot"].get("原先", [])
    terms = bot.open().query("這項規定原先排定何時上路?").terms
    original = next(t for t in terms if t.label == "原先")
    assert original.df > 0 and original.variants["原定"] < 1.0


def test_a_lone_character_missing_as_a_token_is_not_counted_as_absent(bot):
    """出 is in the article only inside words (出口): jieba never indexes it alone."""
    terms = bot.open().query("輝達出了什麼事?").terms
    out = next(t for t in terms if t.label == "出")
    assert out.df == 0 and out.single and out.weight < 1.0 and absent_share([out]) == 0.0


def test_a_character_no_source_holds_anywhere_counts_as_absent(bot):
    """蓍 (yarrow) is nowhere in the article, not even inside a word: unlike 出 above, its absence is a fact."""
    assert "蓍" not in bot.index.characters and "出" in bot.index.characters
    terms = bot.open().query("輝達的蓍在哪裡?").terms
    yarrow = next(t for t in terms if t.label == "蓍")
    assert yarrow.df == 0 and not yarrow.single and absent_share(terms) > 0.5


def test_a_pair_jiebas_hmm_glued_is_read_by_the_characters_the_sources_lack(bot):
    """旧规 (旧 + 规): the article has 规 (规定) but no 旧 anywhere; 旧 is a common character, so the pair stays weak,
    not a rare word whose absence is a fact."""
    assert "旧" not in bot.index.characters and "规" in bot.index.characters
    terms = bot.open().query("微软总裁是在什么场合批评旧规的?").terms
    old_rule = next(t for t in terms if t.label == "旧规")
    assert old_rule.df == 0 and old_rule.single and absent_share(terms) == 0.0


def test_a_word_jiebas_hmm_glued_to_a_particle_is_split_into_weak_characters(bot):
    """會出 (會 + 出) is not in jieba's dictionary nor in the article: its characters count, as weakly as 事."""
    terms = {t.label: t for t in bot.open().query("用華為的AI處理器為什麼會出問題?").terms}
    assert "会出" not in terms and terms["出"].single and absent_share(list(terms.values())) < 0.5
    assert not terms["华为"].single and not terms["处理器"].single
    japan = next(t for t in bot.open().query("輝達在日本賣了多少晶片?").terms if t.label == "日本")
    assert japan.df == 0 and not japan.single and japan.weight > 1.0  # a dictionary word the article lacks counts


def test_two_common_characters_general_chinese_rarely_writes_together_are_split(bot):
    """讓日韓 (let Japan and Korea): jieba's pieces 让 + 日 are rejoined where the sources hold 让日, a pair jieba's
    own counts say is chance (cohesion -inf); 期在 and 是从 likewise. The characters stay terms of their own. A real
    word (日本, 差点) holds together; a pair with a rare character (螭头) is left alone."""
    from assistant.lexical import LexicalIndex
    from assistant.query import Term
    from assistant.types import Chunk
    from assistant.weights import TermWeights

    analyzer = bot.analyzer
    assert analyzer.cohesion("让日") == analyzer.cohesion("期在") == float("-inf")
    assert analyzer.cohesion("是从") < 1.5 < analyzer.cohesion("日本") and analyzer.cohesion("差点") > 1.5
    assert analyzer.cohesion("螭头") is None
    texts = ["這次訪問讓日本放心。", "讓日方滿意的協議。", "日本與韓國的關係。", "朴正熙差點遇刺。"]
    chunks = [Chunk(str(i), "d", 0, len(t), t, [(0, len(t))]) for i, t in enumerate(texts)]
    index = LexicalIndex.build(chunks, {}, {}, {}, [analyzer.tokens(t) for t in texts])
    question = "朴正熙因為差點被誰殺害而讓日韓的關係跌入谷底?"
    terms = [Term(w, {w: 1.0}) for w in analyzer.words(question)]
    labels = [t.label for t in TermWeights(index, analyzer).weigh(terms, question)]
    assert "让日" not in labels and "日" in labels and "差点" in labels and "朴正熙" in labels
    # a dictionary word of two common characters that the sources write too is their word, not a glue
    assert analyzer.cohesion("两难") < 1.5
    texts.append("輝達仍處於兩難境地。")
    chunks = [Chunk(str(i), "d", 0, len(t), t, [(0, len(t))]) for i, t in enumerate(texts)]
    index = LexicalIndex.build(chunks, {}, {}, {}, [analyzer.tokens(t) for t in texts])
    terms = [Term(w, {w: 1.0}) for w in analyzer.words("輝達為什麼處境兩難?")]
    labels = [t.label for t in TermWeights(index, analyzer).weigh(terms, "輝達為什麼處境兩難?")]
    assert "两难" in labels and "难" not in labels


def test_an_untranslatable_name_in_another_language_does_not_count_against_answering(corpus_bot):
    """A Chinese corpus that writes no names in Latin letters: Kesslerova has no dictionary rendering, and Donna is
    a common enough English word that no CC-CEDICT entry glosses; the sources would spell either as no dictionary
    tells (唐娜). Japan and France are glossed (日本, 法国): that the sources lack them still counts; so does a
    year, which Chinese writes in the same digits."""
    from assistant.crosslingual import glossed

    bot = corpus_bot({"rules.txt": "美國商務部撤銷了晶片出口規定。新規定將於明年生效,企業需要重新申請許可。"})
    assert not bot.open().weights.spells_names
    assert "donna" not in glossed(bot.analyzer) and "franc" in glossed(bot.analyzer)
    terms = {t.label: t for t in bot.open().query("What did Kesslerova, Donna and Japan say about the rule in France?").terms}
    for name in ("kesslerova", "donna"):
        assert terms[name].proper and terms[name].df == 0 and terms[name].weight == 0.0
    assert terms["japan"].df == 0 and terms["japan"].weight > 1.0 and terms["franc"].weight > 1.0
    same = "規定是Kesslerova說的嗎?"  # asked in the sources' own language, an unknown name counts fully
    assert next(t for t in bot.open().query(same).terms if t.label == "kesslerova").weight > 1.0
    # a year is written in the same digits in Chinese: one the sources lack is missing in fact, across languages too
    years = {t.label: t for t in bot.open().query("What did the rule say in 1754, and about 66 million chips?").terms}
    assert years["1754"].df == 0 and years["1754"].weight > 1.0
    assert years["66"].df == 0 and years["66"].weight == 0.0  # 66 million may be written 6600万


def test_a_foreign_name_after_a_middle_dot_is_one_name_across_languages(corpus_bot):
    """jieba cuts a transliterated name it does not know (托马斯·皮凯蒂 → 皮/凯蒂; 玛丽·麦特琳 → 麦特/琳). Asked of English
    sources, the part after the dot is one name again, so the name bridge can sound it out, and where no source
    sounds like it the sources lack it (it weighs as a name would, not as an untranslatable word). The name stops at
    the first word that is no name (拉采尔 of 拉采尔出生于). A Chinese corpus keeps jieba's pieces, as its sources have."""
    bot = corpus_bot({"economists.txt": "Economist Thomas Piketty challenged this notion. Marlee Matlin translated the "
                      "anthem into sign language. Friedrich Ratzel was born in Karlsruhe."})
    terms = {t.label: t for t in bot.open().query("托马斯·皮凯蒂的工作是什么?", "zh-Hans").terms}
    assert "皮凯蒂" in terms and "皮" not in terms and "凯蒂" not in terms
    assert terms["皮凯蒂"].spelled and terms["皮凯蒂"].weight > 1.0  # no source spells it here yet: missing
    labels = [t.label for t in bot.open().query("玛丽·麦特琳翻译了什么?", "zh-Hans").terms]
    assert "麦特琳" in labels and "麦特" not in labels
    labels = [t.label for t in bot.open().query("弗里德里希•拉采尔出生于哪里?", "zh-Hans").terms]
    assert "拉采尔" in labels and not any(label.startswith("拉采尔") and label != "拉采尔" for label in labels)
    # the name bridge then finds it among the retrieved passages, and the question is answered from them
    selection, _, _ = bot._select("托马斯·皮凯蒂的工作是什么?", None, "zh-Hans")
    assert "Piketty" in selection.sentences[0].text


def test_a_word_kept_with_its_preposition_is_translated_as_the_word_without_it(corpus_bot):
    """jieba keeps 起源于 ("originate in") whole and CC-CEDICT has no entry for it: asked of English sources, it is
    read as 起源 ("origin"), which has one, instead of weighing nothing."""
    bot = corpus_bot({"museum.txt": "The museum has its origin in the Great Exhibition of 1851."})
    terms = {t.label: t for t in bot.open().query("博物馆起源于哪个博览会?", "zh-Hans").terms}
    assert "起源于" in terms and "origin" in terms["起源于"].variants and terms["起源于"].df > 0


def test_a_chinese_corpus_keeps_the_pieces_of_a_name_after_a_middle_dot(bot):
    labels = [t.label for t in bot.open().query("托马斯·皮凯蒂的工作是什么?", "zh-Hans").terms]
    assert "皮凯蒂" not in labels


def test_a_corpus_that_writes_names_in_latin_letters_would_hold_the_name_asked_for(bot):
    """The article writes its people's names beside the Chinese (凱斯勒(Jeffery Kessler)): a Latin name it does not
    hold is missing in fact, and a question about that person is not answered from general sentences."""
    assert bot.open().weights.spells_names
    terms = {t.label: t for t in bot.open().query("What did Kesslerova say about the Nvidia chips?").terms}
    assert terms["kesslerova"].df == 0 and terms["kesslerova"].weight > 1.0
    assert bot.answer("What did Odinga say about Nvidia chips?").abstained
    assert not bot.answer("What did Brad Smith say about the Biden rule?").abstained


def test_an_english_terms_weight_follows_the_questions_own_word(bot):
    """How common a word is comes from the word the question used (quarterly), not from whichever word with
    the same stem the analyzer happened to see first: answers must not depend on what ran before."""
    terms = {t.label: t for t in bot.open().query("What was Nvidia's quarterly revenue growth?").terms}
    assert terms["quarter"].surface == "quarterly" and terms["nvidia"].surface == "nvidia"
    bot.analyzer.stem("quarters")  # seeing another form first changes nothing
    again = {t.label: t.weight for t in bot.open().query("What was Nvidia's quarterly revenue growth?").terms}
    assert again == {label: t.weight for label, t in terms.items()}


def test_absent_share_counts_own_terms_the_sources_never_mention():
    from assistant.weights import absent_share

    terms = [Term("营收", {}, 3.0, df=0), Term("英伟达", {}, 1.0, df=5), Term("股价", {}, 2.0, carried=True, df=0)]
    assert absent_share(terms) == 0.75
    assert absent_share([]) == 0.0


def test_variants_of_a_term_share_one_idf(tmp_path):
    from assistant.lexical import LexicalIndex
    from assistant.text import Analyzer
    from assistant.types import Chunk
    from tests.conftest import ROOT

    analyzer = Analyzer(ROOT / "corpus" / "lexicon")
    english = "Trump administration rescinds curbs on AI chip exports to foreign markets, AP News reported on Wednesday."
    texts = [english] + [f"美國芯片出口規定第{i}條。" for i in range(6)] + ["其他內容。"] * 3
    chunks = [Chunk(str(i), "d", 0, len(t), t, [(0, len(t))]) for i, t in enumerate(texts)]
    index = LexicalIndex.build(chunks, {}, {}, {}, [analyzer.tokens(t) for t in texts])
    scores = index.scores([{"芯片": 1.0, "chip": 0.8}])
    # The one English line holds the rare variant; it must not outrank the passages in the corpus's own wording.
    assert scores[0] < scores[1] and scores[1] > 0 and scores[7] == 0


def test_a_two_character_word_jieba_cuts_otherwise_in_the_source_is_found_by_its_pair(tmp_path):
    """jieba cuts 螭頭 into 螭/頭 in the source; the question's term (rejoined by the weights) still reaches it."""
    from assistant.lexical import LexicalIndex
    from assistant.text import Analyzer
    from assistant.types import Chunk
    from tests.conftest import ROOT

    analyzer = Analyzer(ROOT / "corpus" / "lexicon")
    texts = ["在每一欄杆下又向外伸出一石螭頭，用於壇面排水。", "水壩的主要功能是儲水。", "其他內容。"]
    chunks = [Chunk(str(i), "d", 0, len(t), t, [(0, len(t))]) for i, t in enumerate(texts)]
    index = LexicalIndex.build(chunks, {}, {}, {}, [analyzer.tokens(t) for t in texts])
    assert "螭头" not in analyzer.words(analyzer.fold(texts[0])) and index.df(["螭头"]) == 1
    own = Term("螭头", {"螭头": 1.0}).lexical_tokens(analyzer)
    assert index.scores([own])[0] > 0
    translated = Term("dam", {"dam": 1.0, "水坝": 0.6}).lexical_tokens(analyzer)
    assert translated == {"dam": 1.0, "水坝": 0.6}


def test_an_english_word_without_a_translation_borrows_those_of_its_family(analyzer):
    """CC-CEDICT glosses "to disobey" and "to proclaim"; a question's disobedience and proclamation reach their
    renderings. A stem that only begins alike (internship for international) is no kin."""
    tables = {"en2zh": {"disobey": ["不服从"], "proclaim": ["宣告"], "internship": ["实习"]}, "zh2en": {}}
    qa = QueryAnalyzer(analyzer, Glossary(analyzer), tables, 0.8)
    by_label = {t.label: t for t in qa.terms("Is civil disobedience an international proclamation?")}
    assert by_label["disobedi"].variants == {"disobedi": 1.0, "不服从": 0.8}
    assert by_label["proclam"].variants == {"proclam": 1.0, "宣告": 0.8}
    assert len(by_label["internat"].variants) == 1


def test_a_chinese_word_whose_glosses_the_sources_lack_reaches_a_form_of_their_family(analyzer):
    """宣告 is glossed "to proclaim" and 百分比 "percentage": English sources that write proclamation and percent
    hold their renderings. A word with a gloss the sources write keeps to it alone."""
    from assistant.crosslingual import build_tables

    assert build_tables(analyzer, {"proclam"})["zh2en"]["宣告"] == ["proclam"]
    assert build_tables(analyzer, {"percent"})["zh2en"]["百分比"] == ["percent"]
    assert build_tables(analyzer, {"percent", "percentag"})["zh2en"]["百分比"] == ["percentag"]
    assert "百分比" not in build_tables(analyzer, {"perceiv"})["zh2en"]  # perceive is no kin of percentage


def test_a_chinese_word_no_dictionary_entry_glosses_asked_of_english_sources_does_not_count_against_answering():
    """CC-CEDICT leaves compounds such as 最大 and 第三 to their characters: asked of English sources, such a word
    has no rendering to look for, so its absence says nothing (as for an unglossed name). 灾害 has an entry
    (disaster) that the sources lack, so that still counts."""
    from assistant.crosslingual import build_tables, headwords
    from assistant.lexical import LexicalIndex
    from assistant.text import Analyzer
    from assistant.types import Chunk
    from assistant.weights import TermWeights
    from tests.conftest import ROOT

    analyzer = Analyzer(ROOT / "corpus" / "lexicon")
    assert "最大" not in headwords(analyzer) and "灾害" in headwords(analyzer)
    texts = ["The largest city of the region is Fresno.", "The team won the third title in 1998.", "Other text."]
    chunks = [Chunk(str(i), "d", 0, len(t), t, [(0, len(t))]) for i, t in enumerate(texts)]
    index = LexicalIndex.build(chunks, {"d": {"language": "en"}}, {}, lambda vocab, knows: build_tables(
        analyzer, vocab, knows), [analyzer.tokens(t) for t in texts])
    question = "什么灾害威胁了该地区最大的城市?"
    terms = [Term(w, {w: 1.0}) for w in analyzer.words(question)]
    weighed = {t.label: t for t in TermWeights(index, analyzer).weigh(terms, question, "zh-Hans")}
    assert weighed["最大"].df == 0 and weighed["最大"].weight == 0.0
    assert weighed["灾害"].df == 0 and weighed["灾害"].weight > 0.1
    same = {t.label: t for t in TermWeights(index, analyzer).weigh(terms, question, "en")}  # not across languages
    assert same["最大"].weight > 0.0


def test_an_untranslatable_name_reaches_the_characters_that_sound_like_it():
    """Odinga has no dictionary rendering; the passage writes 奥廷加. Runs of characters with the name's consonants
    are the candidates, the encoder picks among them, and the name's term gains the run as a variant (and the
    reverse for a Chinese name over English passages)."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.crosslingual import (
        NAME_WEIGHT,
        _char_sounds,
        bridge_names,
        sound_skeleton,
        sounds_alike,
    )
    from assistant.text import Analyzer
    from tests.conftest import ROOT

    analyzer = Analyzer(ROOT / "corpus" / "lexicon")
    sounds = _char_sounds()
    assert sound_skeleton("Odinga") == "TNK" and sound_skeleton("奥廷加", sounds) == "TNJ"  # 加 jia: j, q, x are k or s
    assert sounds_alike(sound_skeleton("Odinga"), sound_skeleton("奥廷加", sounds))
    assert sounds_alike(sound_skeleton("Piketty"), sound_skeleton("皮凯蒂", sounds))
    # pinyin's c and z are ts (茨 ci, 兹 zi), and its q a ch as often as a k (乔 qiao)
    assert sounds_alike(sound_skeleton("Kuznets"), sound_skeleton("库兹涅茨", sounds))
    assert sounds_alike(sound_skeleton("Pachauri"), sound_skeleton("帕乔里", sounds))
    assert not sounds_alike(sound_skeleton("Odinga"), sound_skeleton("齐贝吉", sounds))

    def encode(texts):  # the name and 奥廷加 share a direction; every other run has one of its own
        rows = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            rows[i, 0 if text in ("Odinga", "奥廷加", "Piketty", "皮凯蒂") else 1 + sum(map(ord, text)) % 63] = 1.0
        return rows

    passage = SimpleNamespace(text="2008年，齊貝吉和奧廷加簽署了建立聯合政府的協議。")
    terms = [Term("odinga", {"odinga": 1.0}, 0.0, df=0, proper=True, surface="odinga"),
             Term("role", {"role": 1.0, "职务": 0.8}, 1.5, df=3)]
    out = bridge_names(terms, [passage], analyzer, encode, "What would be Odinga's role in the government?")
    assert out[0].variants["奥廷加"] == NAME_WEIGHT and out[1] is terms[1]
    elsewhere = SimpleNamespace(text="蘇格蘭議會無法對保留問題進行立法。")  # nothing there sounds like Odinga
    assert bridge_names(terms, [elsewhere], analyzer, encode, "What would be Odinga's role?") is terms
    # the other way: a Chinese name no dictionary has, asked of English sources, reaches the word that sounds like it
    asked = [Term("皮凯蒂", {"皮凯蒂": 1.0}, 0.0, df=0)]
    english = SimpleNamespace(text="Economist Thomas Piketty challenged this notion.")
    assert bridge_names(asked, [english], analyzer, encode, "皮凯蒂的工作是什么?")[0].variants["piketti"] == NAME_WEIGHT
