import pytest

from assistant.crosslingual import Glossary, definition_words
from assistant.query import QueryAnalyzer
from assistant.text import Analyzer
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


def test_words_are_folded_segmented_and_stemmed(analyzer):
    words = analyzer.words("美國商務部撤銷了 Export Controls 的規定")
    assert "撤销" in words and "规定" in words
    assert "export" in words and "control" in words
    assert "的" not in words and "了" not in words


def test_index_tokens_add_bigrams_for_unknown_names(analyzer):
    tokens = analyzer.tokens("凱斯勒表示")
    assert "#凯斯" in tokens and "#斯勒" in tokens


@pytest.mark.parametrize(
    "question, script",
    [("英伟达的芯片市场有多大?", "zh-Hans"), ("輝達的晶片市場有多大?", "zh-Hant"), ("How big is the market?", "en"),
     ("What did 黃仁勳 say about the chip export rules?", "en")],
)
def test_script_detection(analyzer, question, script):
    assert analyzer.script(question) == script


def test_simplified_rendering_uses_mainland_wording(analyzer):
    assert analyzer.to_simplified("AI晶片市場") == "AI芯片市场"


def test_cedict_definitions_keep_short_senses_only(analyzer):
    assert definition_words("to export", analyzer) == [["export"]]
    assert definition_words("CL:個|个[ge4]", analyzer) == []
    assert definition_words("a very long sense with many different content words", analyzer) == []


def test_english_question_terms_reach_chinese_words(analyzer):
    glossary = Glossary(analyzer)
    tables = {"en2zh": {"export": ["出口"], "tariff": ["关税"]}, "zh2en": {}}
    terms = QueryAnalyzer(analyzer, glossary, tables, 0.6).terms("Did the Commerce Department export tariffs?")
    by_label = {t.label: t for t in terms}
    assert by_label["commerce department"].variants["商务部"] == 0.6
    assert by_label["export"].variants == {"export": 1.0, "出口": 0.6}
    assert "关税" in by_label["tariffs"].variants


def test_chinese_question_terms_reach_english_words(analyzer):
    glossary = Glossary(analyzer)
    terms = QueryAnalyzer(analyzer, glossary, {"en2zh": {}, "zh2en": {"关税": ["tariff"]}}, 0.5).terms("關稅呢?")
    assert terms[0].variants == {"关税": 1.0, "tariff": 0.5}


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
