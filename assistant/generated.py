"""Write → verify → compose: the generated-answer path behind the evidence gate. The model writes from
the passages (instruction-like sentences hidden), every sentence is checked against the sources
(verify.py), and the reply falls back to the extractive answer, with a notice saying why, when the
model fails, declines, answers in another language, or when what holds up covers less of the question
than the quoted sentences do."""

from __future__ import annotations

from collections.abc import Generator as Steps
from dataclasses import replace

from .errors import LLMUnavailable
from .generate import Generator, NotInSources, parse_reply
from .snapshot import Snapshot
from .types import Answer, Notice, Passage, Sentence
from .verify import verify

__all__ = ["Generator", "LLMUnavailable", "generated_answer"]


COMPLETENESS_MARGIN = 0.0  # the reply's sources may cover this much less of the question than the quoted sentences


def generated_answer(generator: Generator, snapshot: Snapshot, question: str, language: str, passages: list[Passage],
                     fallback: Answer, min_support: float, quoted: list[Sentence] = (),
                     max_claims: int = 3) -> Steps[str, None, Answer]:
    """Yield the model's text as it streams; return the verified answer (or ``fallback`` with a notice).
    ``quoted`` are the sentences of ``fallback``: a reply must speak to as much of the question as they do."""
    pieces: list[str] = []
    try:
        shown = [snapshot.evidence.shown_text(p) for p in passages]
        for piece in generator.stream(question, shown, language):
            pieces.append(piece)
            yield piece
    except LLMUnavailable as exc:
        return replace(fallback, notices=fallback.notices + (Notice("llm-unavailable", str(exc)),))
    reply = parse_reply("".join(pieces))
    if isinstance(reply, NotInSources):  # the gate found support: the quotes stay, and the reader is told
        return replace(fallback, notices=fallback.notices + (Notice("model-declined"),))
    analyzer = snapshot.composer.analyzer
    checked = verify(reply.text, passages, evidence=snapshot.evidence, queries=snapshot.queries, weights=snapshot.weights,
                     min_support=min_support, question=question, language=language, quoted=quoted,
                     max_claims=max_claims,
                     to_script=lambda text, script: (analyzer.to_simplified if script == "zh-Hans" else analyzer.to_traditional)(text))
    code = None
    if not checked.claims:
        code = "wrong-language" if checked.wrong_language else "nothing-supported"
    elif checked.coverage + COMPLETENESS_MARGIN < checked.quoted_coverage:
        code = "less-complete"
    if code:
        return replace(fallback, notices=fallback.notices + (Notice(code),), sentences_generated=checked.total,
                       sentences_supported=checked.supported)
    return snapshot.composer.generated(checked, language, passages)
