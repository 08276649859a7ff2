"""Ask the article each question two ways: as written plainly, and as a reader might type it (a request round it, a
preamble, colloquial words, a misspelling, other casing). Reports the pairs whose typed form abstains where the plain
one answers, or answers where it abstains (questions the sources do not answer, typed the same ways), and those that
quote other sentences.

    python eval/phrasing.py                      # eval/phrasing.jsonl, 90 pairs written by this team
    python eval/phrasing.py --pairs FILE --json  # one {"plain": …, "typed": …} per line

These pairs share the team's vocabulary: they show that a way of typing is handled, not how well unseen questions are
answered (the public sets and eval/ measure that).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant import Assistant

PAIRS = Path(__file__).resolve().parent / "phrasing.jsonl"


def compare(bot: Assistant, pairs: list[dict]) -> dict:
    """How often the typed form answers as the plain one does."""
    lost, gained, moved = [], [], []
    for pair in pairs:
        plain, typed = bot.answer(pair["plain"]), bot.answer(pair["typed"])
        if typed.abstained != plain.abstained:
            (lost if typed.abstained else gained).append(pair["typed"])
        elif [c.quote for c in typed.citations] != [c.quote for c in plain.citations]:
            moved.append(pair["typed"])
    return {"pairs": len(pairs), "abstained_where_plain_answers": lost, "answered_where_plain_abstains": gained,
            "other_quotes": moved}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS, help="JSON lines with 'plain' and 'typed' questions")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    pairs = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = compare(Assistant(), pairs)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{result['pairs']} pairs; {len(result['abstained_where_plain_answers'])} abstain where the plain question "
          f"answers; {len(result['answered_where_plain_abstains'])} answer where it abstains; "
          f"{len(result['other_quotes'])} quote other sentences")
    for question in result["abstained_where_plain_answers"]:
        print(f"  abstains: {question}")
    for question in result["answered_where_plain_abstains"]:
        print(f"  answers: {question}")
    for question in result["other_quotes"]:
        print(f"  other quotes: {question}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
