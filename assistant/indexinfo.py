"""What an index is built with, and the one test of whether it fits the current settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .errors import model_mismatch
from .settings import Settings
from .text import ANALYZER_VERSION, Analyzer


@dataclass(frozen=True)
class IndexInfo:
    embedding_model: str
    chunk_size: int
    chunk_overlap: int
    analyzer: int
    lexicon: str

    @classmethod
    def expected(cls, settings: Settings, analyzer: Analyzer) -> IndexInfo:
        """What an index built now with these settings and this lexicon records."""
        return cls(settings.model_label, settings.chunk_size, settings.chunk_overlap, ANALYZER_VERSION, analyzer.lexicon_key)

    def as_dict(self) -> dict:
        return asdict(self)

    def check_model(self, built_with: str | None) -> None:
        """Vectors from another embedding model mean something else: an error that names the rebuild."""
        if built_with and built_with != self.embedding_model:
            raise model_mismatch(built_with, self.embedding_model)

    def check(self, recorded: dict) -> bool:
        """Whether an index that recorded ``recorded`` is current (False: stale, update it on next use);
        raises IndexMismatch when it was built with another embedding model."""
        self.check_model(recorded.get("embedding_model"))
        return all(recorded.get(key) == value for key, value in self.as_dict().items())
