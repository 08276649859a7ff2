"""Write → verify → compose: the generated-answer path behind the evidence gate. The model writes from
the passages (instruction-like sentences hidden), every sentence is checked against the passage it
cites, and the reply falls back to the extractive answer when the model fails or nothing holds up."""

from __future__ import annotations

from collections.abc import Generator as Steps
from dataclasses import replace

from .errors import LLMUnavailable
from .generate import Generator, NotInSources, parse_reply
from .snapshot import Snapshot
from .types import Answer, Notice, Passage
from .verify import verify

__all__ = ["Generator", "LLMUnavailable", "generated_answer"]


def generated_answer(generator: Generator, snapshot: Snapshot, question: str, language: str, passages: list[Passage],
                     fallback: Answer, min_support: float) -> Steps[str, None, Answer]:
    """Yield the model's text as it streams; return the verified answer (or ``fallback`` with a notice)."""
    pieces: list[str] = []
    try:
        shown = [snapshot.evidence.shown_text(p) for p in passages]
        for piece in generator.stream(question, shown, language):
            pieces.append(piece)
            yield piece
    except LLMUnavailable as exc:
        return replace(fallback, notices=fallback.notices + (Notice("llm-unavailable", str(exc)),))
    reply = parse_reply("".join(pieces))
    if isinstance(reply, NotInSources):
        return replace(snapshot.composer.abstain(language, passages, mode="generated"), reason="the model found no answer")
    checked = verify(reply.text, passages, evidence=snapshot.evidence, queries=snapshot.queries, weights=snapshot.weights,
                     min_support=min_support)
    if not checked.claims:
        return replace(fallback, notices=fallback.notices + (Notice("nothing-supported"),),
                       sentences_generated=checked.total)
    return snapshot.composer.generated(checked, language, passages)
