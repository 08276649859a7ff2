"""Eval: run the question set through ``Assistant.answer`` (and the baselines) and score it.

Metrics, per language and overall: retrieval hit@1/hit@3/MRR of the gold evidence, answer accuracy
(key phrases present), citation precision/recall (ALCE-style span overlap), abstention precision/recall,
false abstentions, latency p50/p95.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EvalError
from .facts import facts
from .settings import PROJECT_ROOT
from .types import Answer

DEFAULT_QUESTIONS = PROJECT_ROOT / "eval" / "questions.jsonl"
REQUIRED = ("id", "split", "lang", "question")


@dataclass
class Question:
    id: str
    split: str
    lang: str
    question: str
    kind: str = "factoid"
    evidence: list[str] = field(default_factory=list)
    answer: list[list[str]] = field(default_factory=list)
    follows: str | None = None
    source: str = "corpus/iknow-2025-05-15-ai-chip-export-rules.txt"

    @property
    def answerable(self) -> bool:
        return bool(self.evidence)


def load_questions(path: Path) -> list[Question]:
    """Parse a JSONL question file; a bad line (or an id used twice) is an error that names its number."""
    questions = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalError(f"cannot read question file {path}: {exc.strerror}") from exc
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            missing = [k for k in REQUIRED if k not in record]
            if missing:
                raise ValueError(f"missing field(s) {', '.join(missing)}")
            if record["id"] in seen:  # follow-ups and reports name questions by id
                raise ValueError(f"id {record['id']} is already used on line {seen[record['id']]}")
            seen[record["id"]] = number
            questions.append(Question(**record))
        except (ValueError, TypeError) as exc:
            raise EvalError(f"{path}, line {number}: {exc}") from exc
    return questions


def gold_spans(q: Question, text: str) -> list[tuple[int, int]]:
    spans = []
    for piece in q.evidence:
        start = text.find(piece)
        if start < 0:
            raise EvalError(f"question {q.id}: evidence not found in {q.source}: {piece[:30]}…")
        spans.append((start, start + len(piece)))
    return spans


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


FALLBACKS = ("llm-unavailable", "nothing-supported", "wrong-language", "less-complete", "model-declined")  # the model was asked; extraction answered


def route(reply: Answer) -> str:
    """How an answer was made: "generated", "fell-back" (the model's reply was not used), "model-abstained",
    "extractive" (no model asked) or "abstained" (the evidence gate said no)."""
    if reply.mode == "generated":
        return "model-abstained" if reply.abstained else "generated"
    if any(n.code in FALLBACKS for n in reply.notices):
        return "fell-back"
    return "abstained" if reply.abstained else "extractive"


def says(text: str, expected: str) -> bool:
    """``expected`` is in ``text`` (lower-cased), or is a date or amount that ``text`` writes another way
    (5月13日 = 2025/05/13 = May 13)."""
    if expected.lower() in text:
        return True
    wanted = facts(expected)
    return bool(wanted) and not wanted.missing_from(facts(text))


def score(q: Question, reply: Answer, gold: list[tuple[int, int]], doc_id: str | None) -> dict:
    """Per-question measurements."""
    row = {"id": q.id, "lang": q.lang, "kind": q.kind, "answerable": q.answerable, "abstained": reply.abstained,
           "ms": reply.timings.get("total_ms", 0.0), "generated": reply.sentences_generated,
           "supported": reply.sentences_supported, "notice": reply.notice, "route": route(reply),
           "text": reply.text}
    if not q.answerable:
        row["wrong_generated"] = row["route"] == "generated"
        return row
    ranks = [p.rank for p in reply.passages if p.doc_id == doc_id and any(_overlaps((p.start, p.end), g) for g in gold)]
    first = min(ranks) if ranks else None
    text = reply.text.lower()
    cited = [(c.start, c.end) for c in reply.citations if c.doc_id == doc_id]
    row.update(
        hit1=first == 0, hit3=first is not None and first < 3, rr=0.0 if first is None else 1 / (first + 1),
        correct=not reply.abstained and all(any(says(text, a) for a in group) for group in q.answer),
        cites=len(reply.citations),
        good_cites=sum(any(_overlaps(c, g) for g in gold) for c in cited),
        recall=sum(any(_overlaps(c, g) for c in cited) for g in gold) / len(gold),
        # abstained, but the closest passages shown beside the abstention hold the evidence
        nearest_gold=reply.abstained and any(_overlaps((c.start, c.end), g) for c in reply.nearest
                                             if c.doc_id == doc_id for g in gold),
    )
    row["wrong_generated"] = row["route"] == "generated" and not row["correct"]
    return row


def _mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def percentile(values: list[float], pct: float) -> float | None:
    """The nearest-rank percentile of ``values`` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def aggregate(rows: list[dict]) -> dict:
    """Metrics over a group of per-question rows."""
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    abstained = [r for r in rows if r["abstained"]]
    cites = sum(r["cites"] for r in ans)
    generated = sum(r["generated"] for r in rows)
    return {
        "questions": len(rows),
        "hit@1": _mean(r["hit1"] for r in ans),
        "hit@3": _mean(r["hit3"] for r in ans),
        "mrr": _mean(r["rr"] for r in ans),
        "accuracy": _mean(r["correct"] for r in ans),
        "citation_precision": sum(r["good_cites"] for r in ans) / cites if cites else None,
        "citation_recall": _mean(r["recall"] for r in ans),
        "abstention_precision": _mean(not r["answerable"] for r in abstained) if abstained else None,
        "abstention_recall": _mean(r["abstained"] for r in una),
        "false_abstention": _mean(r["abstained"] for r in ans),
        "abstained_nearest_gold": _mean(r["nearest_gold"] for r in ans if r["abstained"]),
        "supported_sentence_rate": sum(r["supported"] for r in rows) / generated if generated else None,
        "routes": {name: sum(r.get("route") == name for r in rows)
                   for name in ("generated", "fell-back", "model-abstained", "extractive", "abstained")},
        "wrong_generated": sum(bool(r.get("wrong_generated")) for r in rows),
        "latency_p50_ms": statistics.median([r["ms"] for r in rows]) if rows else None,
        "latency_p95_ms": percentile([r["ms"] for r in rows], 95),
    }


def by_language(rows: list[dict]) -> dict[str, dict]:
    """Metrics over all rows, per language, and over the paraphrased questions (words the article lacks)."""
    groups = {"all": rows}
    for lang in sorted({r["lang"] for r in rows}):
        groups[lang] = [r for r in rows if r["lang"] == lang]
    paraphrases = [r for r in rows if r["kind"] == "paraphrase"]
    if paraphrases:
        groups["paraphrases"] = paraphrases
        groups["in its words"] = [r for r in rows if r["kind"] != "paraphrase" and r["answerable"]]
    return {name: aggregate(group) for name, group in groups.items()}
