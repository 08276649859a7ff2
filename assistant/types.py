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
class Span:
    """Offsets into a source's text: ``text[start:end]``."""

    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """What is indexed: a run of whole sentences of one document, with absolute offsets."""

    id: str
    doc_id: str
    start: int
    end: int
    text: str
    sentences: list[tuple[int, int]]

    def sentence_text(self, start: int, end: int) -> str:
        return self.text[start - self.start : end - self.start]


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
    wrong_language: int = 0  # sentences not in the asker's language (dropped)
    coverage: float = 0.0  # share of the question's weight the kept sentences' sources speak to
    quoted_coverage: float = 0.0  # ... and the extractive answer's quoted sentences

    set_aside: int = 0  # backed, but repeating a kept sentence, speaking to nothing asked, or past the limit

    @property
    def supported(self) -> int:
        return len(self.claims) + self.set_aside


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


# What a notice says, by code; ``{detail}`` is filled from the notice (a count, the model's error).
NOTICE_TEXTS = {
    "degraded": "answered from the keyword index alone: the vector store is unavailable · 向量索引無法使用,僅以關鍵詞索引回答",
    "emptied": "answered from the keyword index alone: the vector store is empty, run `assistant ingest` · 向量索引是空的,請執行 assistant ingest",
    "llm-unavailable": "{detail}; showing the extractive answer · 改用原文摘錄回答",
    "nothing-supported": "no generated sentence was supported by its sources; showing the extractive answer · 改用原文摘錄回答",
    "model-declined": "the language model found no answer in these passages; showing the quoted sentences · 模型認為段落未回答此問題,改列原文摘錄",
    "less-complete": "the generated answer covered less of the question than the quoted sentences; showing them · 生成的回答不如原文摘錄完整,改用原文摘錄回答",
    "wrong-language": "the language model answered in another language; showing the extractive answer · 模型未以提問語言作答,改用原文摘錄回答",
    "unsupported-removed": "{detail} unsupported sentence(s) removed",
    "condense-failed": "{detail}; the follow-up was answered as asked",
}


@dataclass(frozen=True)
class Notice:
    """Something the reader should know about how an answer was made: a code and its detail."""

    code: str  # a key of NOTICE_TEXTS
    detail: str = ""

    @property
    def text(self) -> str:
        return NOTICE_TEXTS[self.code].format(detail=self.detail)


@dataclass(frozen=True)
class Answer:
    """What ``answer()`` returns: text with ``[n]`` markers and the citations they point to."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    language: str = "en"
    mode: str = "extractive"
    notices: tuple[Notice, ...] = ()
    notice: str = ""  # the notices' text, in order (what the CLI and the web page show)
    reason: str = ""  # why the gate answered or abstained (for debugging and the eval report)
    passages: list[Passage] = field(default_factory=list)
    # abstained, but the gate came close: the sentences it weighed, cited for the reader to judge (not an answer)
    nearest: list[Citation] = field(default_factory=list)
    sentences_generated: int = 0
    sentences_supported: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self, *, passages: bool = True) -> dict:
        """Plain data; ``passages=False`` leaves out the retrieved passages (what the CLI and API show)."""
        data = asdict(self)
        if not passages:
            del data["passages"]
        return data
