"""Real models' replies, recorded once and replayed through the scripted server.

``Recorder`` stands at the generator seam during ``python eval/benchmark.py --llm`` and keeps, for every
call, the question, which passages were shown (by a hash of their text, so no source text is stored),
the reply's streamed pieces and how long they took. ``Replayer`` answers the scripted server's requests
from such a file: it finds the question, maps each ``[n]`` the model wrote to wherever that passage sits
in today's prompt (a passage no longer shown becomes an out-of-range marker), and streams the pieces as
they came.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

FIXTURES = Path(__file__).with_name("fixtures")
_NUMBERED = re.compile(r"(?:^|\n\n)\[(\d+)\] ")
_MARKER = re.compile(r"([\[［【]\s*)(\d{1,2}(?:\s*[,,、]\s*\d{1,2})*)(\s*[\]］】])")


def passage_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


class Recorder:
    """Wraps a generator; ``calls`` holds one record per model call."""

    def __init__(self, generator):
        self.generator = generator
        self.calls: list[dict] = []

    def stream(self, question, passages, language):
        record = {"kind": "answer", "question": question, "language": language,
                  "passages": [passage_key(p) for p in passages], "pieces": [], "error": None}
        self.calls.append(record)
        started = time.perf_counter()
        try:
            for piece in self.generator.stream(question, passages, language):
                if not record["pieces"]:
                    record["first_s"] = round(time.perf_counter() - started, 2)
                record["pieces"].append(piece)
                yield piece
        except Exception as exc:
            record["error"] = str(exc)
            raise
        finally:
            record["total_s"] = round(time.perf_counter() - started, 2)

    def condense(self, question, history_lines):
        from assistant.generate import standalone_question

        record = {"kind": "condense", "question": question, "history": history_lines, "pieces": [], "error": None}
        self.calls.append(record)
        try:
            record["pieces"] = [self.generator.rewrite(question, history_lines)]  # as written, checked below
        except Exception as exc:
            record["error"] = str(exc)
            raise
        return standalone_question(record["pieces"][0])

    def save(self, path: Path, model: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            for call in self.calls:
                out.write(json.dumps({"model": model, **call}, ensure_ascii=False) + "\n")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _prompt_parts(body: dict) -> tuple[str, str]:
    """(the human message, the system message) of a chat request."""
    messages = {m["role"]: m["content"] for m in body.get("messages", [])}
    return messages.get("user", ""), messages.get("system", "")


def shown_passages(human: str) -> list[str]:
    """The passage texts of an answer prompt, in their numbered order."""
    block = human.split("Passages:\n", 1)[-1].rsplit("\n\nQuestion:", 1)[0]
    pieces = _NUMBERED.split(block)
    return [pieces[i + 1] for i in range(1, len(pieces) - 1, 2)]


class Replayer:
    """Answers scripted-server requests from recorded calls (see ``tests.fake_llm.ScriptedLLM.responder``)."""

    def __init__(self, records: list[dict]):
        self.answers = {r["question"]: r for r in records if r["kind"] == "answer"}
        self.condensed = {r["question"]: r for r in records if r["kind"] == "condense"}

    def pieces(self, body: dict) -> list[str] | None:
        human, _ = _prompt_parts(body)
        if "Follow-up question: " in human:
            record = self.condensed.get(human.rsplit("Follow-up question: ", 1)[1].strip())
            return list(record["pieces"]) if record else None
        record = self.answers.get(human.rsplit("\n\nQuestion: ", 1)[-1].strip())
        if record is None:
            return None
        now = {passage_key(text): n for n, text in enumerate(shown_passages(human), start=1)}
        then = {n: now.get(key, 99) for n, key in enumerate(record["passages"], start=1)}
        text = "".join(record["pieces"])
        remapped = _MARKER.sub(lambda m: m.group(1) + re.sub(r"\d+", lambda d: str(then.get(int(d.group()), 99)),
                                                              m.group(2)) + m.group(3), text)
        if remapped == text:
            return list(record["pieces"])
        return [remapped[i : i + 6] for i in range(0, len(remapped), 6)]

    def __call__(self, body: dict):
        """A scripted-server reply for ``body``, or None when nothing was recorded for it."""
        from tests.fake_llm import Reply

        pieces = self.pieces(body)
        return Reply(pieces=pieces) if pieces is not None else None
