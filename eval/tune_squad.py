"""Tune the answer step on the public sets (dev data) and on eval/ dev, never on eval/ test.

    python eval/tune_squad.py --sample 300 --grid dense_weight=0.5,1 min_coverage=0.3,0.45

Each public set is indexed once under --work (kept between runs); every setting in the grid is then
asked the same sampled questions. One line per set and setting; eval/ dev last.
"""

from __future__ import annotations

import argparse
import itertools
import logging
from pathlib import Path

from assistant import Assistant, Settings
from assistant.evalrun import evaluate
from assistant.evaluate import DEFAULT_QUESTIONS, load_questions
from assistant.squad import build_corpus, sample, score, summarize

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
SETS = {
    "xquad-zh": ("xquad/xquad.zh.json", None),
    "xquad-en": ("xquad/xquad.en.json", None),
    "xquad-en2zh": ("xquad/xquad.zh.json", "xquad/xquad.en.json"),
    "drcd": ("drcd/DRCD_dev.json", None),
    "cmrc": ("cmrc2018/cmrc2018_trial.json", None),
}


def grid(specs: list[str]) -> list[dict]:
    axes = []
    for spec in specs:
        name, _, values = spec.partition("=")
        axes.append([(name, float(v) if "." in v else int(v)) for v in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)] or [{}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--work", default="/tmp/assistant-squad")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-dev", action="store_true")
    parser.add_argument("--show-misses", type=int, default=0, help="print this many wrong rows per set")
    parser.add_argument("--grid", nargs="*", default=[])
    args = parser.parse_args()
    logging.getLogger("assistant").setLevel(logging.ERROR)
    base = Settings()
    bot0 = Assistant(base)
    for name in args.sets.split(","):
        path, asked = SETS[name]
        root = Path(args.work) / name
        items = build_corpus(DATA / path, root / "corpus", questions_from=DATA / asked if asked else None,
                             seed=args.seed)
        chosen = sample(items, args.sample, args.seed)
        local = base.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index"})
        Assistant(local, embeddings=bot0.embeddings).ingest(progress=False)
        for setting in grid(args.grid):
            bot = Assistant(local.model_copy(update=setting), embeddings=bot0.embeddings)
            replies = [(item, bot.answer(item.question)) for item in chosen]
            rows = [score(item, reply, bot.analyzer.fold) for item, reply in replies]
            m = summarize(rows)
            print(f"{name:12s} {setting} " + " ".join(f"{k}={m[k]:.2f}" for k in
                  ["cites_gold", "found", "answered", "hit@3", "abstained_left_out", "latency_p50_ms"]), flush=True)
            misses = [(i, r, row) for (i, r), row in zip(replies, rows) if row["answerable"] and not row["found"]]
            for item, reply, row in misses[: args.show_misses]:
                print(f"   Q {item.question} | gold {item.answers[:2]} | abst={reply.abstained} "
                      f"cites_gold={row['cites_gold']}\n     A {reply.text[:160]!r}")
    if not args.no_dev:
        questions = load_questions(DEFAULT_QUESTIONS)
        for setting in grid(args.grid):
            report = evaluate(Assistant(base.model_copy(update=setting), embeddings=bot0.embeddings), questions,
                              split="dev", baselines=False, progress=False)
            m = report["systems"]["assistant"]["all"]
            print(f"{'eval-dev':12s} {setting} " + " ".join(f"{k}={m[k]:.2f}" for k in
                  ["hit@1", "accuracy", "citation_precision", "abstention_recall", "false_abstention"]), flush=True)


if __name__ == "__main__":
    main()
