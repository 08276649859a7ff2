"""Gate stage: answer or abstain."""




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
