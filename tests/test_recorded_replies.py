"""Real models' replies to the eval's test split, recorded once (`python eval/benchmark.py --llm 0.5b,1.5b`,
tests/fixtures) and replayed through the scripted server: what verification lets through is scored against
the gold answers, so the tests meet real-model behaviour without running a model."""

import pytest

from assistant import Assistant
from assistant.evalrun import ask_all
from assistant.evaluate import DEFAULT_QUESTIONS, load_questions
from assistant.verify import parse_claims
from tests.replies import FIXTURES, Replayer, load

MODELS = ["0.5b", "1.5b"]


@pytest.fixture(scope="module")
def test_split():
    return [q for q in load_questions(DEFAULT_QUESTIONS) if q.split == "test"]


@pytest.fixture(scope="module")
def extractive_accuracy(shared_bot, test_split):
    rows = [row for _, _, row in ask_all(shared_bot, test_split, corpus_dir=shared_bot.settings.corpus_dir)
            if row["answerable"]]
    return sum(r["correct"] for r in rows) / len(rows)


@pytest.mark.parametrize("model", MODELS)
def test_recorded_replies_pass_only_what_the_sources_back(model, bot, llm, test_split, extractive_accuracy):
    llm.responder = Replayer(load(FIXTURES / f"replies-{model}.jsonl"))
    settings = bot.settings.model_copy(update={"llm_base_url": llm.url, "llm_model": model})
    writer = Assistant(settings, embeddings=bot.embeddings)
    results = list(ask_all(writer, test_split, corpus_dir=settings.corpus_dir))
    generated = [(q, reply) for q, reply, row in results if row["route"] == "generated"]
    assert len(generated) >= 10, "most verified replies are used, not thrown away"
    assert [q.id for q, _, row in results if row["wrong_generated"]] == []
    answerable = [row for _, _, row in results if row["answerable"]]
    assert sum(r["correct"] for r in answerable) / len(answerable) >= extractive_accuracy
    for q, reply in generated:
        assert writer.analyzer.script(reply.text) == q.lang or not any(c.isalpha() for c in reply.text), q.id
        claims = parse_claims(reply.text)
        assert claims and all(c.markers and max(c.markers) <= len(reply.citations) for c in claims), q.id
        for cite in reply.citations:
            source = (settings.corpus_dir / cite.source).read_text(encoding="utf-8-sig")
            assert source[cite.start : cite.end] == cite.quote, q.id
