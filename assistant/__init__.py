"""A bilingual, citation-first question-answering assistant over the May 2025 AI-chip export-rule sources.

>>> from assistant import answer
>>> reply = answer("Who is the Commerce Department undersecretary?")  # doctest: +SKIP
>>> reply.text, reply.citations[0].quote  # doctest: +SKIP
"""

from .core import Assistant, answer
from .errors import AssistantError
from .settings import Settings
from .types import Answer, Citation

__all__ = ["Answer", "Assistant", "AssistantError", "Citation", "Settings", "answer"]
