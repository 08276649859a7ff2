"""Follow-ups: decide when a question leans on the previous one, and what to carry over."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .languages import LANGUAGES

# Any language's cue counts: a follow-up may mix scripts ("那Nvidia呢?").
_LEANS = re.compile("|".join(f"(?:{entry.cues})" for entry in LANGUAGES.values()), re.IGNORECASE)
SHORT = 12


def text_of(content) -> str | None:
    """The text of a message's content: a string, or a list of parts as Gradio 6's Chatbot and the OpenAI
    message format send it ([{"type": "text", "text": …}, …]); None when it holds no text."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, (list, tuple)):
        parts = [p.get("text") if isinstance(p, dict) else p for p in content]
        texts = [t for t in parts if isinstance(t, str) and t.strip()]
        return " ".join(texts) if texts else None
    return None


def check_history(history) -> None:
    """History is None or a list of turns; anything else is the caller's mistake, said plainly."""
    from .errors import InvalidQuestion

    if history is not None and (isinstance(history, (str, bytes, dict)) or not isinstance(history, Sequence)):
        raise InvalidQuestion(
            f"history must be a list of earlier turns (strings, (question, answer) pairs or role/content dicts), "
            f"not {type(history).__name__}"
        )


def turns(history: Sequence | None) -> list[tuple[str | None, str]]:
    """(role, text) of each turn: strings are user turns, pairs are (user, reply), dicts carry their role
    and a content that is text or a list of text parts."""
    out: list[tuple[str | None, str]] = []
    for turn in history or []:
        if isinstance(turn, str):
            out.append(("user", turn))
        elif isinstance(turn, dict) and (text := text_of(turn.get("content"))) is not None:
            out.append((turn.get("role"), text))
        elif isinstance(turn, (list, tuple)):
            out += [(role, text) for role, text in zip(("user", "assistant"), turn) if isinstance(text, str)]
    return out


def previous_question(history: Sequence | None) -> str:
    """The last user question in ``history`` (strings, (user, reply) pairs or role/content dicts)."""
    return next((text for role, text in reversed(turns(history)) if role == "user"), "")


def leans_on_history(question: str) -> bool:
    """Short questions and ones with pronouns or '那…呢' need the previous turn to make sense."""
    return len(question) <= SHORT or bool(_LEANS.search(question))


def history_lines(history: Sequence) -> list[str]:
    """The last turns as 'user: …' / 'assistant: …' lines for a condensing prompt."""
    return [f"{role or 'user'}: {text}" for role, text in turns(list(history)[-6:])]
