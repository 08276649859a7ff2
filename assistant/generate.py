"""Generate: answers written by an LLM on an OpenAI-compatible server, through a LangChain chain.

prompt → ChatOpenAI → string parser, with streaming. Any fault (timeout, refused connection, HTTP
error, empty reply) becomes ``LLMUnavailable``; the caller falls back to the extractive answer.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import LLMUnavailable
from .languages import language as language_of
from .profile import load_profile
from .settings import Settings

NOT_IN_SOURCES = "NOT_IN_SOURCES"


@dataclass(frozen=True)
class Reply:
    """What the model wrote (markers and all)."""

    text: str


@dataclass(frozen=True)
class NotInSources:
    """The model said the passages do not answer the question."""


def parse_reply(text: str) -> Reply | NotInSources:
    """The model's whole reply, read: its refusal sentinel anywhere means the sources don't say."""
    return NotInSources() if NOT_IN_SOURCES in text else Reply(text.strip())
PROMPTS = Path(__file__).with_name("prompts.toml")


def number_passages(texts: list[str]) -> str:
    return "\n\n".join(f"[{i}] {text}" for i, text in enumerate(texts, start=1))


class Generator:
    """Talks to the configured chat model. Built lazily; nothing connects until the first question."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.prompts = tomllib.loads(PROMPTS.read_text(encoding="utf-8"))

    @cached_property
    def model(self):
        """The chat model. Its read timeout is the first-token one (the longest silence in a streamed reply);
        the whole-reply deadline is kept by ``stream``. No retries: a retry would double the wait."""
        import httpx
        from langchain_openai import ChatOpenAI

        first = self.settings.llm_first_token_timeout
        return ChatOpenAI(
            base_url=self.settings.llm_base_url, model=self.settings.llm_model,
            api_key=self.settings.llm_api_key or "not-needed", timeout=httpx.Timeout(first, connect=min(first, 10.0)),
            max_retries=0, temperature=0, streaming=True,
        )

    def _chain(self, system: str, human: str):
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

        prompt = ChatPromptTemplate.from_messages([("system", self.prompts[system]), ("human", self.prompts[human])])
        return prompt | self.model | StrOutputParser()

    @cached_property
    def domain(self) -> str:
        """What the corpus is about, for the prompt (its profile; a neutral phrase without one)."""
        return load_profile(self.settings.corpus_dir).domain

    @cached_property
    def answer_chain(self):
        return self._chain("answer_system", "answer_human")

    @cached_property
    def condense_chain(self):
        return self._chain("condense_system", "condense_human")

    def stream(self, question: str, passages: list[str], language: str) -> Iterator[str]:
        """Pieces of the model's reply as they arrive; ``passages`` are the texts to number."""
        inputs = {"question": question, "passages": number_passages(passages),
                  "language": language_of(language).name, "domain": self.domain}
        received, deadline = False, time.monotonic() + self.settings.llm_timeout
        try:
            for piece in self.answer_chain.stream(inputs):
                received = received or bool(piece.strip())
                yield piece
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete reply within {self.settings.llm_timeout:g} s")
        except Exception as exc:  # openai/httpx raise many kinds; all mean the same to the user
            raise LLMUnavailable(f"language model unavailable ({type(exc).__name__}: {exc})") from exc
        if not received:
            raise LLMUnavailable("language model unavailable (empty reply)")

    def rewrite(self, question: str, history_lines: list[str]) -> str:
        """The model's rewrite of a follow-up, as written."""
        try:
            text = self.condense_chain.invoke({"question": question, "history": "\n".join(history_lines)})
        except Exception as exc:
            raise LLMUnavailable(f"language model unavailable ({type(exc).__name__})") from exc
        return text

    def condense(self, question: str, history_lines: list[str]) -> str:
        """A standalone version of a follow-up question."""
        return standalone_question(self.rewrite(question, history_lines))


def standalone_question(text: str) -> str:
    """A rewrite fit to search with. One that ends as a statement is refused: small models sometimes answer
    instead of rewriting, and their answer would then be searched for."""
    text = text.strip()
    if not text:
        raise LLMUnavailable("language model unavailable (empty reply)")
    if text[-1] in "。.!！":
        raise LLMUnavailable("the model's rewrite of the follow-up was a statement, not a question")
    return text
