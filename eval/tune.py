"""Grid search of retrieval/answer settings on the dev split (never on test).

    python eval/tune.py --chunk-sizes 100,160,250,400 --dense 0,0.25,0.5,1 --coverage 0.4,0.5,0.6

Prints one line per setting with dev metrics; pick the defaults in assistant/settings.py from it.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import tempfile
from pathlib import Path

from assistant import Assistant, Settings
from assistant.embeddings import LazyEmbeddings
from assistant.evalrun import evaluate
from assistant.evaluate import DEFAULT_QUESTIONS, load_questions


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunk-sizes", default="130")
    parser.add_argument("--dense", default="0.1")
    parser.add_argument("--rrf-k", default="10")
    parser.add_argument("--coverage", default="0.45")
    parser.add_argument("--translation", default="0.8")
    parser.add_argument("--absent", default="0.4")
    parser.add_argument("--gain", default="0.3")
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    logging.getLogger("assistant").setLevel(logging.ERROR)
    questions = load_questions(DEFAULT_QUESTIONS)
    embeddings = LazyEmbeddings(Settings())
    keys = ["hit@1", "hit@3", "mrr", "accuracy", "citation_precision", "citation_recall", "abstention_recall", "false_abstention"]
    print("chunk dense rrf_k cover transl absent gain | " + " ".join(keys))
    with tempfile.TemporaryDirectory() as tmp:
        for size in map(int, floats(args.chunk_sizes)):
            base = Settings(index_dir=Path(tmp) / f"c{size}", chunk_size=size)
            Assistant(base, embeddings=embeddings).ingest(progress=False)
            grid = itertools.product(floats(args.dense), floats(args.rrf_k), floats(args.coverage),
                                     floats(args.translation), floats(args.absent), floats(args.gain))
            for dense, rrf_k, cover, transl, absent, gain in grid:
                settings = base.model_copy(update={"dense_weight": dense, "rrf_k": int(rrf_k), "min_coverage": cover,
                                                   "translation_weight": transl, "max_absent": absent,
                                                   "min_gain": gain})
                report = evaluate(Assistant(settings, embeddings=embeddings), questions, split=args.split,
                                  baselines=False, progress=False)
                m = report["systems"]["assistant"]["all"]
                print(f"{size:5d} {dense:5.2f} {int(rrf_k):5d} {cover:5.2f} {transl:6.2f} {absent:6.2f} {gain:4.2f} | "
                      + " ".join(f"{m[k]:.2f}" for k in keys), flush=True)


if __name__ == "__main__":
    main()
