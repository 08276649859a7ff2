"""`assistant eval --squad`: a SQuAD-format file becomes a corpus of its own, with articles left out."""

import json

import pytest

from assistant.cli import main
from assistant.errors import EvalError
from assistant.squad import build_corpus, sample, score, summarize
from assistant.types import Answer, Citation, Passage
from tests.conftest import eval_script

ARTICLES = [
    ("潮汐", ["月球的引力使海水每天涨落两次,这就是潮汐。", "大潮出现在新月和满月前后。"],
     [["潮汐是由什么引起的?", "月球的引力"], ["大潮出现在什么时候?", "新月和满月前后"]]),
    ("火山", ["火山是地壳中岩浆喷出地面形成的山。", "富士山最后一次喷发是在1707年。"],
     [["火山由什么喷出形成?", "岩浆"], ["富士山最后一次喷发是哪一年?", "1707年"]]),
    ("冰川", ["冰川是由积雪压实形成的巨大冰体,会沿着山谷缓慢移动。"], [["冰川是怎样形成的?", "积雪压实"]]),
]


def squad(articles, english=False) -> dict:
    data = []
    for a, (title, paragraphs, qas) in enumerate(articles):
        paras = []
        for p, context in enumerate(paragraphs):
            items = [{"id": f"{a}-{p}-{i}", "question": f"Q{a}{p}{i} in English?" if english else q,
                      "answers": [{"text": ans, "answer_start": context.find(ans)}]}
                     for i, (q, ans) in enumerate(qas) if ans in context]
            paras.append({"context": context, "qas": items})
        data.append({"title": title, "paragraphs": paras})
    return {"data": data}


@pytest.fixture
def squad_file(tmp_path):
    path = tmp_path / "set.json"
    path.write_text(json.dumps(squad(ARTICLES), ensure_ascii=False), encoding="utf-8")
    return path


def test_left_out_articles_are_not_written_and_their_questions_have_no_gold(squad_file, tmp_path):
    items = build_corpus(squad_file, tmp_path / "c", leave_out=0.3, seed=1)
    written = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert len(written) == 2 and len(items) == 5
    for item in items:
        path = tmp_path / "c" / item.doc_id
        if item.span is None:
            assert not path.exists()
        else:  # the gold paragraph sits exactly at its span
            text = path.read_text(encoding="utf-8")
            assert any(a in text[item.span[0] : item.span[1]] for a in item.answers)


def test_parallel_questions_keep_the_corpus_language_answers(squad_file, tmp_path):
    parallel = tmp_path / "en.json"
    parallel.write_text(json.dumps(squad(ARTICLES, english=True)), encoding="utf-8")
    items = build_corpus(squad_file, tmp_path / "c", questions_from=parallel, leave_out=0)
    assert all(i.question.endswith("in English?") for i in items)
    assert {a for i in items for a in i.answers} >= {"岩浆", "1707年"}


def test_sample_takes_answerable_and_a_quarter_left_out(squad_file, tmp_path):
    items = build_corpus(squad_file, tmp_path / "c", leave_out=0.3, seed=1)
    chosen = sample(items, 2, seed=0)
    assert sum(i.span is not None for i in chosen) == 2 and len(chosen) <= 2 + 2 // 4


def test_scoring_checks_the_cited_paragraph_and_the_quoted_answer(squad_file, tmp_path):
    item = next(i for i in build_corpus(squad_file, tmp_path / "c", leave_out=0) if "1707年" in i.answers)
    start, end = item.span
    cite = Citation(1, item.doc_id, "", "", "富士山最後一次噴發是在1707年。", start, end)
    reply = Answer("…[1]", citations=[cite], passages=[Passage("c", item.doc_id, start, end, "", 1.0, 0)])
    row = score(item, reply, fold=lambda s: s.replace("後", "后").replace("噴", "喷"))
    assert row["cites_gold"] and row["found"] and row["hit3"]
    wrong = score(item, Answer("…", abstained=True), fold=str)
    assert not wrong["cites_gold"] and not wrong["found"]
    summary = summarize([row, wrong])
    assert summary["cites_gold"] == 0.5 and summary["answered"] == 0.5


def test_a_broken_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(EvalError, match="SQuAD-format"):
        build_corpus(bad, tmp_path / "c")


@pytest.mark.slow
def test_eval_squad_command_indexes_asks_and_reports(squad_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "unused-index"))
    out = tmp_path / "report"
    code = main(["eval", "--squad", str(squad_file), "--leave-out", "0.3", "--seed", "1", "--out", str(out),
                 "--fail-under", "answered=0.5"])
    printed = capsys.readouterr().out
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(report["systems"]) == {"assistant", "langchain-naive", "bm25"}
    indexed = [i for i in build_corpus(squad_file, tmp_path / "again", leave_out=0.3, seed=1) if i.span]
    assert "cites_gold" in printed and report["systems"]["assistant"]["answerable"] == len(indexed) > 0
    assert code == (0 if report["systems"]["assistant"]["answered"] >= 0.5 else 1)




def test_gate_refits_across_draws_score_each_held_out_draw(tmp_path, capsys):
    """`eval/tune_squad.py --across`: refit on the other draws' rows, score the held-out one beside the committed
    gate; rows of one draw cannot be split so."""
    import argparse

    from assistant.gate import FEATURES

    def row(seed, name, answerable, cover):
        signals = {k: 0.0 for k in FEATURES}
        signals.update(coverage=cover, first_coverage=cover, passage_coverage=cover, similarity=cover)
        return {"set": name, "seed": seed, "question": f"q{seed}{name}{answerable}{cover}", "answerable": answerable,
                "cites": answerable, "found": answerable, "p": 0.9 if answerable else 0.1, "signals": signals}

    rows = [row(seed, name, answerable, (0.6 if answerable else 0.0) + 0.05 * k)
            for seed in (0, 1, 2) for name in ("a", "b") for answerable in (True, False) for k in range(6)]
    rows.append({**row(1, "a", False, 0.0), "question": "nothing to quote", "p": 0.0, "signals": None})
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tune = eval_script("tune_squad")
    tune.across(argparse.Namespace(across=[str(path)], abstain=0.85))
    out = capsys.readouterr().out
    for seed in (0, 1, 2):
        refit = next(line for line in out.splitlines() if line.startswith(f"seed {seed} refit"))
        assert "a=1.000/1.00" in refit and "b=1.000/1.00" in refit  # held out, still told apart
        assert any(line.startswith(f"seed {seed} committed") for line in out.splitlines())
    assert "refit     mean over held-out seeds: cites gold 1.0000, left-out abstention 1.0000" in out
    path.write_text("".join(json.dumps(r) + "\n" for r in rows if r["seed"] == 0), encoding="utf-8")
    with pytest.raises(SystemExit, match="two leave-out seeds"):
        tune.across(argparse.Namespace(across=[str(path)], abstain=0.85))
