"""One exception root; every message says what to do next."""


class AssistantError(Exception):
    """Root of every error the assistant raises on purpose."""


class InvalidQuestion(AssistantError, ValueError):
    """The question is empty or too long."""


class IndexProblem(AssistantError):
    """The index is missing, damaged or built with other settings."""


class IndexMismatch(IndexProblem):
    """The index was built with another embedding model."""


class IndexDamaged(IndexProblem):
    """The index files cannot be read."""


class CorpusError(AssistantError):
    """The corpus folder or its manifest cannot be used."""


class FetchError(AssistantError):
    """A URL could not be fetched or held no text."""
