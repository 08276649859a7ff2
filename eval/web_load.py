"""The web app under load on a built index, every question new to it (benchmark.py's web run, other questions).

    python eval/web_load.py --index /tmp/assistant-scale/c100000/index --corpus /tmp/assistant-scale/c100000/corpus

Starts `assistant web` on 127.0.0.1 over the given index (built by eval/scale.py) and runs ``benchmark.web``
with the public sets' questions, each asked once, so most reach chunks analysed for the first time: questions
one at a time (through gradio_client, then as plain JSON POSTs), then --clients plain HTTP clients asking
--per-client questions each at once. Prints the result as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from benchmark import web
from scale import paragraphs_and_questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--sequential", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-client", type=int, default=5)
    args = parser.parse_args()
    _, questions = paragraphs_and_questions()
    random.Random(7).shuffle(questions)
    print(json.dumps(web(args.index, args.sequential, args.clients, args.per_client, questions=questions,
                         corpus_dir=args.corpus, distinct=True), indent=2))


if __name__ == "__main__":
    main()
