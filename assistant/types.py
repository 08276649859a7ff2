"""The values the public API returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    """One numbered source passage: ``quote == source_text[start:end]``."""

    n: int
    doc_id: str
    title: str
    source: str
    quote: str
    start: int
    end: int
    outlet: str = ""
    date: str = ""
    language: str = ""
    url: str = ""
    passage: str = ""
    passage_start: int = 0


@dataclass(frozen=True)
class Sentence:
    """One source sentence as the answer step sees it: exact offsets, matching views, what kind it is."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    folded: str
    stems: frozenset[str]
    flagged: bool = False
    row: int = -1  # its row in the index's sentence vectors
    english: bool = False  # written in English rather than Chinese (a Chinese source may quote English)
    meta: str = ""  # "byline" or "references": about the source, not evidence for claims about events


@dataclass
class Verified:
    """A generated reply's supported sentences with the source sentences behind each, and how many it had."""

    claims: list[tuple[str, list[Sentence]]] = field(default_factory=list)
    total: int = 0

    @property
    def supported(self) -> int:
        return len(self.claims)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its place in the fused ranking."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    score: float
    rank: int
    dense_rank: int | None = None  # its place in the dense ranking alone (None: not among its candidates)
    lexical_rank: int | None = None


@dataclass
class Answer:
    """What ``answer()`` returns: text with ``[n]`` markers and the citations they point to."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    language: str = "en"
    mode: str = "extractive"
    notice: str = ""
    passages: list[Passage] = field(default_factory=list)
    sentences_generated: int = 0
    sentences_supported: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self, *, passages: bool = True) -> dict:
        """Plain data; ``passages=False`` leaves out the retrieved passages (what the CLI and API show)."""
        data = asdict(self)
        if not passages:
            del data["passages"]
        return data
