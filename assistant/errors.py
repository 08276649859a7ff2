"""One exception root; every message says what to do next."""

REBUILD = "run `assistant ingest --rebuild`"


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


def model_mismatch(built_with: str, wanted: str) -> IndexMismatch:
    return IndexMismatch(f"index built with model {built_with}, settings ask for {wanted}: {REBUILD}")


class ConfigError(AssistantError, ValueError):
    """A setting (an ASSISTANT_* variable or a keyword) has a value it cannot take."""


class IndexUnreachable(IndexProblem):
    """The vector store (a Chroma server) cannot be reached."""


class CorpusError(AssistantError):
    """The corpus folder or its manifest cannot be used."""


class FetchError(AssistantError):
    """A URL could not be fetched or held no text."""


class EvalError(AssistantError):
    """A question file or data set cannot be used."""


class LLMUnavailable(AssistantError):
    """The language model could not give a usable reply."""
