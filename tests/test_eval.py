import json

import pytest

from assistant.evalrun import check_floors, evaluate, parse_floors, write_report
from assistant.evaluate import DEFAULT_QUESTIONS, EvalError, load_questions


def test_malformed_question_file_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    good = json.dumps({"id": "a", "split": "dev", "lang": "en", "question": "?"})
    path.write_text(good + "\n\n{broken json\n", encoding="utf-8")
    with pytest.raises(EvalError, match="line 3"):
        load_questions(path)
    path.write_text(json.dumps({"id": "a", "split": "dev"}) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match="line 1: missing field"):
        load_questions(path)
    path.write_text(good + "\n" + good.replace('"?"', '"again?"') + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match="line 2: id a is already used on line 1"):
        load_questions(path)


def test_question_set_is_complete_and_evidence_is_verbatim():
    questions = load_questions(DEFAULT_QUESTIONS)
    assert len(questions) >= 60
    assert sum(not q.answerable for q in questions) >= 12
    assert {q.split for q in questions} == {"dev", "test"}
    assert any(q.follows for q in questions)
    paraphrases = [q for q in questions if q.kind == "paraphrase"]  # in words the article does not use
    assert len(paraphrases) >= 40 and sum(q.split == "dev" for q in paraphrases) >= 20
    assert {q.lang for q in paraphrases} == {"zh-Hant", "zh-Hans", "en"}
    from tests.conftest import ROOT

    for q in questions:
        text = (ROOT / q.source).read_text(encoding="utf-8")
        assert all(e in text for e in q.evidence), q.id
        assert (not q.answerable) or q.answer, q.id


def test_floors_parse_and_fail():
    floors = parse_floors("accuracy=0.9, abstention=0.5")
    assert floors == {"accuracy": 0.9, "abstention": 0.5}
    assert check_floors({"accuracy": 0.95, "abstention_recall": 0.4}, floors) == ["abstention_recall = 0.4 < 0.5"]
    with pytest.raises(EvalError, match="unknown metric"):
        check_floors({"accuracy": 1.0}, {"nonsense": 0.1})
    with pytest.raises(EvalError):
        parse_floors("accuracy=high")


def test_eval_report_has_metrics_per_language_and_files(bot, tmp_path):
    questions = [q for q in load_questions(DEFAULT_QUESTIONS) if q.split == "dev"][:30]
    report = evaluate(bot, questions, split="dev", baselines=True, progress=False)
    assert set(report["systems"]) == {"assistant", "langchain-naive", "bm25"}
    ours = report["systems"]["assistant"]
    assert {"all", "en", "zh-Hans", "zh-Hant"} <= set(ours)
    assert 0 <= ours["all"]["accuracy"] <= 1 and ours["all"]["latency_p50_ms"] > 0
    write_report(report, tmp_path / "out")
    assert (tmp_path / "out" / "chart.png").stat().st_size > 10_000
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "÷ langchain-naive" in md and "| assistant | all |" in md


def test_gold_sources_are_read_from_the_configured_corpus_folder(tmp_path):
    """The eval finds "corpus/<file>" in whatever folder the settings name, not beside the code."""
    import shutil

    from assistant.documents import load_manifest
    from assistant.errors import EvalError
    from assistant.evalrun import _gold_source
    from tests.conftest import ARTICLE, ROOT

    moved = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "corpus", moved)
    text, doc_id = _gold_source(f"corpus/{ARTICLE}", moved, load_manifest(moved))
    assert text == (ROOT / "corpus" / ARTICLE).read_text(encoding="utf-8") and doc_id
    (moved / ARTICLE).unlink()
    with pytest.raises(EvalError, match="not in the corpus folder"):
        _gold_source(f"corpus/{ARTICLE}", moved, load_manifest(moved))


def test_the_phrasing_check_counts_typed_forms_that_lose_the_answer(bot):
    """`eval/phrasing.py`: a typed form that abstains where the plain question answers is counted, as is one that
    answers where it abstains; one that quotes other sentences is listed apart, and one that answers alike is neither."""
    from tests.conftest import ROOT, eval_script

    pairs = [{"plain": "凱斯勒是誰?", "typed": "凱斯勒?"},
             {"plain": "凱斯勒是誰?", "typed": "What is the capital of France?"},
             {"plain": "What is the capital of France?", "typed": "凱斯勒是誰?"},
             {"plain": "凱斯勒是誰?", "typed": "黃仁勳估計中國AI晶片市場價值多少?"}]
    result = eval_script("phrasing").compare(bot, pairs)
    assert result["pairs"] == 4
    assert result["abstained_where_plain_answers"] == ["What is the capital of France?"]
    assert result["answered_where_plain_abstains"] == ["凱斯勒是誰?"]
    assert result["other_quotes"] == ["黃仁勳估計中國AI晶片市場價值多少?"]
    committed = (ROOT / "eval" / "phrasing.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(committed) == 90 and all({"plain", "typed"} <= set(json.loads(line)) for line in committed)

