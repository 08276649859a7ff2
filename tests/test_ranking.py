from assistant.evidence import matches
from assistant.extractive import Candidate, _cover
from assistant.query import Term
from assistant.retrieve import fuse
from assistant.types import Sentence


def test_reciprocal_rank_fusion_weights_each_ranking():
    fused = fuse([(["a", "b", "c"], 1.0), (["c", "b"], 0.5)], k=10)
    assert max(fused, key=fused.get) == "b"  # second in one list, second in the other
    assert fused["a"] == 1.0 / 11
    assert fuse([(["a"], 0.0), (["b"], 1.0)], k=10)["a"] == 0.0


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


def test_absent_share_counts_own_terms_the_sources_never_mention():
    from assistant.weights import absent_share

    terms = [Term("营收", {}, 3.0, df=0), Term("英伟达", {}, 1.0, df=5), Term("股价", {}, 2.0, carried=True, df=0)]
    assert absent_share(terms) == 0.75
    assert absent_share([]) == 0.0


def test_without_the_fitted_gate_the_coverage_thresholds_decide(tmp_path, settings):
    """With an encoder the gate was not fitted on, absent share and coverage decide (the gate's cosines
    mean nothing for another model)."""
    from assistant import Assistant
    from tests.conftest import FakeEmbeddings

    other = settings.model_copy(update={"embedding_model": "fake-hash", "index_dir": tmp_path / "fake-index"})
    question = "黃仁勳在沙烏地阿拉伯對TikTok和Snapchat說了什麼?"  # TikTok, Snapchat: never in the article
    strict = Assistant(other.model_copy(update={"max_absent": 0.1, "min_coverage": 0.0}), embeddings=FakeEmbeddings())
    lenient = Assistant(other.model_copy(update={"max_absent": 1.0, "min_coverage": 0.0}), embeddings=FakeEmbeddings())
    assert strict.answer(question).abstained
    assert not lenient.answer(question).abstained


def test_the_gate_answers_above_its_threshold_only(bot, settings, embeddings):
    from assistant import Assistant
    from assistant.gate import load_gate

    question = "輝達為中國設計了哪些降規晶片?"
    answered = bot.answer(question)
    assert not answered.abstained and f"threshold of {load_gate().threshold:.2f}" in answered.reason  # says why
    never = Assistant(settings.model_copy(update={"min_confidence": 1.0}), embeddings=embeddings).answer(question)
    assert never.abstained and "threshold of 1.00" in never.reason


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
