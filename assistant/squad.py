"""`assistant eval --squad FILE`: index a SQuAD-format file as a corpus of its own and ask its questions.

A seeded share of the articles is left out of the index; their questions must be abstained on
(SQuAD 2.0 style). With ``--questions-from`` the questions come from a parallel file with the same
ids (XQuAD en questions over the zh paragraphs), while the gold answers stay in the corpus language.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import EvalError
from .evaluate import percentile

SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Item:
    """One question: where its gold paragraph sits in the built corpus (None when left out)."""

    id: str
    question: str
    answers: tuple[str, ...]
    doc_id: str
    span: tuple[int, int] | None


def _load(path: Path) -> list[dict]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EvalError(f"{path} is not a readable SQuAD-format file ({exc})") from exc


def build_corpus(path: Path, folder: Path, *, questions_from: Path | None = None, leave_out: float = 0.125,
                 seed: int = 0) -> list[Item]:
    """Write one text file per kept article into ``folder``; return every question with its gold span."""
    data = _load(path)
    asked = {qa["id"]: qa["question"] for a in _load(questions_from) for p in a["paragraphs"] for qa in p["qas"]} \
        if questions_from else {}
    rng = random.Random(seed)
    left = set(rng.sample(range(len(data)), math.ceil(len(data) * leave_out))) if leave_out > 0 else set()
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for number, article in enumerate(data):
        name = f"a{number:04d}.txt"
        text, cursor = [], 0
        for paragraph in article["paragraphs"]:
            context = paragraph["context"].strip()
            span = None if number in left else (cursor, cursor + len(context))
            text.append(context)
            cursor += len(context) + len(SEPARATOR)
            for qa in paragraph["qas"]:
                if questions_from and qa["id"] not in asked or not qa["question"].strip():
                    continue
                answers = tuple(dict.fromkeys(a["text"] for a in qa.get("answers", []) if a["text"].strip()))
                items.append(Item(qa["id"], asked.get(qa["id"], qa["question"]), answers, name, span))
        if number not in left:
            (folder / name).write_text(SEPARATOR.join(text), encoding="utf-8")
    return items


def sample(items: list[Item], n: int | None, seed: int = 0) -> list[Item]:
    """``n`` answerable questions and n/4 from left-out articles (all of them when ``n`` is None)."""
    if not n:
        return items
    rng = random.Random(seed)
    answerable = [i for i in items if i.span]
    unanswerable = [i for i in items if not i.span]
    return rng.sample(answerable, min(n, len(answerable))) + rng.sample(unanswerable, min(n // 4, len(unanswerable)))


def score(item: Item, reply, fold) -> dict:
    """Did the reply cite the gold paragraph, quote the gold answer, rank the paragraph in the top 3?"""
    row = {"id": item.id, "answerable": item.span is not None, "abstained": reply.abstained,
           "ms": reply.timings.get("total_ms", 0.0)}
    if item.span is None:
        return row
    start, end = item.span

    def gold(doc_id, a, b):
        return doc_id == item.doc_id and a < end and start < b

    quotes = fold(" ".join(c.quote for c in reply.citations)).lower()
    ranks = [p.rank for p in reply.passages if gold(p.doc_id, p.start, p.end)]
    row.update(
        cites_gold=not reply.abstained and any(gold(c.doc_id, c.start, c.end) for c in reply.citations),
        nearest_gold=reply.abstained and any(gold(c.doc_id, c.start, c.end) for c in reply.nearest),
        found=not reply.abstained and any(fold(a).lower() in quotes for a in item.answers),
        hit3=bool(ranks) and min(ranks) < 3,
    )
    return row


def summarize(rows: list[dict]) -> dict:
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]

    def share(values):
        values = list(values)
        return sum(values) / len(values) if values else None

    return {
        "answerable": len(ans), "left_out": len(una),
        "cites_gold": share(r["cites_gold"] for r in ans), "found": share(r["found"] for r in ans),
        "answered": share(not r["abstained"] for r in ans), "hit@3": share(r["hit3"] for r in ans),
        "abstained_left_out": share(r["abstained"] for r in una),
        "abstained_nearest_gold": share(r["nearest_gold"] for r in ans if r["abstained"]),
        "latency_p50_ms": statistics.median(r["ms"] for r in rows) if rows else None,
        "latency_p95_ms": percentile([r["ms"] for r in rows], 95),
    }


HEADLINE = ["cites_gold", "found", "answered", "hit@3", "abstained_left_out", "abstained_nearest_gold", "latency_p50_ms",
            "latency_p95_ms"]


def table(report: dict) -> str:
    """Markdown: one row per system, then the corpus size and ingest speed."""
    lines = ["| system | answerable | left out | " + " | ".join(HEADLINE) + " |", "|---" * (len(HEADLINE) + 3) + "|"]
    for name, m in report["systems"].items():
        cells = ["–" if m[k] is None else (f"{m[k]:.0f}" if k.endswith("_ms") else f"{m[k]:.2f}") for k in HEADLINE]
        lines.append(f"| {name} | {m['answerable']} | {m['left_out']} | " + " | ".join(cells) + " |")
    if "chunks" in report:
        lines.append(f"\n{report['chunks']} chunks; ingest {report['ingest_s']:.1f} s, "
                     f"{report['ingest_chars_per_s']:,.0f} characters/s (model loaded)")
    return "\n".join(lines)


def evaluate_squad(path: Path, *, settings, embeddings=None, questions_from: Path | None = None,
                   leave_out: float = 0.125, n: int | None = None, seed: int = 0, baselines: bool = True,
                   progress: bool = True, keep: Path | None = None) -> dict:
    """Build the corpus in a temporary folder (or ``keep``), index it, ask the sampled questions, score."""
    from tqdm import tqdm

    from .core import Assistant
    from .evalrun import build_systems

    with tempfile.TemporaryDirectory() as tmp:
        root = keep or Path(tmp)
        items = build_corpus(path, root / "corpus", questions_from=questions_from, leave_out=leave_out, seed=seed)
        chosen = sample(items, n, seed)
        local = settings.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index"})
        bot = Assistant(local, embeddings=embeddings)
        bot.embeddings.embed_query("warm up")  # time the ingest, not the model load
        started = time.perf_counter()
        ingested = bot.ingest(progress=progress)
        seconds = time.perf_counter() - started
        characters = sum(len(p.read_text(encoding="utf-8")) for p in (root / "corpus").glob("*.txt"))
        report = {"file": str(path), "questions_from": str(questions_from or ""), "leave_out": leave_out,
                  "seed": seed, "chunks": ingested.chunks, "ingest_s": seconds,
                  "ingest_chars_per_s": characters / seconds, "systems": {}, "rows": {}}
        for name, system in build_systems(bot, baselines):
            rows = [score(item, system.answer(item.question), bot.analyzer.fold)
                    for item in tqdm(chosen, desc=f"squad {name}", unit="q", disable=not progress)]
            report["systems"][name] = summarize(rows)
            report["rows"][name] = rows
    return report
