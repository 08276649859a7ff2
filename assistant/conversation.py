"""Follow-ups: decide when a question leans on the previous one, and what to carry over."""

from __future__ import annotations

import re
from collections.abc import Sequence

_LEANS = re.compile(
    r"(他|她|它|其|該|该|此|這|这|那|呢|同樣|同样|\b(he|she|it|they|his|her|its|their|them|that|this|those|these|what about|and)\b)",
    re.IGNORECASE,
)
SHORT = 12


def previous_question(history: Sequence | None) -> str:
    """The last user question in ``history`` (strings, (user, reply) pairs or role/content dicts)."""
    for turn in reversed(list(history or [])):
        if isinstance(turn, str):
            return turn
        if isinstance(turn, dict):
            if turn.get("role") == "user" and isinstance(turn.get("content"), str):
                return turn["content"]
        elif isinstance(turn, (list, tuple)) and turn and isinstance(turn[0], str):
            return turn[0]
    return ""


def leans_on_history(question: str) -> bool:
    """Short questions and ones with pronouns or '那…呢' need the previous turn to make sense."""
    return len(question) <= SHORT or bool(_LEANS.search(question))


def history_lines(history: Sequence) -> list[str]:
    """The conversation as 'user: …' / 'assistant: …' lines for a condensing prompt."""
    lines = []
    for turn in list(history)[-6:]:
        if isinstance(turn, str):
            lines.append(f"user: {turn}")
        elif isinstance(turn, dict) and isinstance(turn.get("content"), str):
            lines.append(f"{turn.get('role', 'user')}: {turn['content']}")
        elif isinstance(turn, (list, tuple)):
            lines += [f"{role}: {text}" for role, text in zip(("user", "assistant"), turn) if isinstance(text, str)]
    return lines
