"""Index: chunk the corpus, embed only what is new, commit the lexical index, drop what is gone."""

from __future__ import annotations

import hashlib
import logging
import pickle
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .chunking import LONG_SENTENCE, chunk_spans, sentences
from .crosslingual import build_tables
from .documents import Document, load_documents
from .errors import CorpusError
from .indexinfo import IndexInfo
from .lexical import LexicalIndex, sentence_texts
from .settings import Settings
from .text import Analyzer
from .types import Chunk
from .vectorstore import VectorStore

log = logging.getLogger("assistant")
BATCH = 32


@dataclass
class IngestReport:
    """What one ingest did."""

    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)
    lexical_rebuilt: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        if not self.embedded and not self.removed and not self.lexical_rebuilt:
            head = f"index up to date: {self.documents} documents, {self.chunks} chunks, nothing to embed"
        else:
            head = (
                f"indexed {self.documents} documents, {self.chunks} chunks: "
                f"{self.embedded} embedded, {self.removed} removed"
            )
        skipped = f"; skipped {len(self.skipped)}: {', '.join(self.skipped)}" if self.skipped else ""
        return f"{head}{skipped} ({self.seconds:.1f} s)"


@contextmanager
def index_lock(index_dir: Path):
    """One ingest at a time per index folder, across processes: a second one waits, and says so."""
    import fcntl

    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another ingest is running on %s: waiting for it to finish", index_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:20]


def make_chunks(doc: Document, settings: Settings) -> list[Chunk]:
    chunks = []
    for span in chunk_spans(doc.text, settings.chunk_size, settings.chunk_overlap):
        text = doc.text[span.start : span.end]
        inner = [(s.start + span.start, s.end + span.start) for s in sentences(text, max_len=settings.chunk_size * LONG_SENTENCE)]
        chunk_id = _digest(doc.doc_id, span.start, span.end, text, settings.chunk_size)
        chunks.append(Chunk(chunk_id, doc.doc_id, span.start, span.end, text, inner))
    return chunks


def _doc_meta(doc: Document) -> dict:
    """What the index records of a document: its metadata and a digest of its text (an unchanged text keeps
    its chunks)."""
    meta = asdict(doc)
    meta["digest"] = _digest(meta.pop("text"))
    return meta


def _chunked(documents: list[Document], docs: dict, settings: Settings, current: LexicalIndex | None) -> list[Chunk]:
    """Every document's chunks: an unchanged one (same text digest, same chunking) keeps the current index's
    chunks instead of being split again (2.5 s of an unchanged ingest at 100k chunks)."""
    kept: dict[str, list[Chunk]] = {}
    if current is not None and all(current.info.get(k) == getattr(settings, k) for k in ("chunk_size", "chunk_overlap")):
        for chunk in current.chunks:
            kept.setdefault(chunk.doc_id, []).append(chunk)
    same = {d.doc_id for d in documents if current is not None and d.doc_id in kept
            and current.docs.get(d.doc_id, {}).get("digest") == docs[d.doc_id]["digest"]}
    return [c for d in documents for c in (kept[d.doc_id] if d.doc_id in same else make_chunks(d, settings))]


EMBED_CHARS_PER_S = 5_000  # a cautious rate for the estimate (measured 6-10k characters/s on 2 cores)
LONG_INGEST_S = 180


def _warn_if_long(characters: int) -> None:
    """Say before a long run how long it will take, so a large file does not start an hour's work silently."""
    seconds = characters / EMBED_CHARS_PER_S
    if seconds > LONG_INGEST_S:
        log.warning("about %s characters to embed: roughly %.0f minutes on this machine; a killed run resumes "
                    "where it stopped (lower ASSISTANT_MAX_FILE_MB to skip large files)", f"{characters:,}", seconds / 60)


def _embed_missing(vectors: VectorStore, have: set[str], chunks: list[Chunk], docs: dict, progress: bool) -> int:
    from tqdm import tqdm

    missing = [c for c in chunks if c.id not in have]
    bar = tqdm(total=len(missing), desc="embedding chunks", unit="chunk", disable=not progress or not missing)
    for i in range(0, len(missing), BATCH):
        batch = missing[i : i + BATCH]
        metas = [{"doc_id": c.doc_id, "start": c.start, "end": c.end, "source": docs[c.doc_id]["source"]} for c in batch]
        vectors.add([c.id for c in batch], [c.text for c in batch], metas)
        bar.update(len(batch))
    bar.close()
    return len(missing)


def _sentence_vectors(embeddings, chunks: list[Chunk], current: LexicalIndex | None, progress: bool):
    """One unit vector per distinct sentence (the answer step's semantic signal), float16 as the index keeps
    them; unchanged sentences keep the rows the current index holds, only new ones are embedded. The result
    is filled in place, so memory holds one copy (at 100k chunks, 200k rows: 0.2 GB, not 0.8)."""
    import numpy as np
    from tqdm import tqdm

    texts = list(sentence_texts(chunks).values())
    old_rows, old = {}, None
    if current is not None and current.vectors is not None and len(current.vectors) == len(current.sentence_texts):
        old = current.vectors
        old_rows = {text: row for row, text in enumerate(current.sentence_texts.values())}
    missing = list(dict.fromkeys(t for t in texts if t not in old_rows))
    new: dict[str, np.ndarray] = {}
    bar = tqdm(total=len(missing), desc="embedding sentences", unit="sentence", disable=not progress or not missing)
    for i in range(0, len(missing), BATCH * 4):
        batch = missing[i : i + BATCH * 4]
        new.update(zip(batch, np.asarray(embeddings.embed_documents(batch), dtype=np.float16)))
        bar.update(len(batch))
    bar.close()
    if not texts:
        return None
    width = old.shape[1] if old is not None else len(next(iter(new.values())))
    out = np.empty((len(texts), width), dtype=np.float16)
    for row, text in enumerate(texts):
        out[row] = new[text] if text in new else old[old_rows[text]]
    return out


def _tokens(analyzer: Analyzer, chunks: list[Chunk], current: LexicalIndex | None, info: dict) -> list[list[str]]:
    """Each chunk's tokens: kept from the current index for chunks it holds (same analyzer and lexicon), so
    adding one article to a large corpus analyses that article only."""
    same = current is not None and all(current.info.get(k) == info.get(k) for k in ("analyzer", "lexicon"))
    known = current.chunk_tokens() if same else {}
    # One string object per distinct token (sys.intern): at 100k chunks, millions of repeats cost gigabytes.
    return [known[c.id] if c.id in known else [sys.intern(t) for t in analyzer.tokens(c.text)] for c in chunks]


def _changed(indexed: list[str], chunks: list[Chunk]) -> bool:
    """Whether the index holds other chunks than these (in any order: added documents follow the others)."""
    return len(indexed) != len(chunks) or set(indexed) != {c.id for c in chunks}


DELTA_SHARE = 0.1  # chunks added since the last full build may be this share of it before everything is rebuilt


def _appended(current: LexicalIndex | None, chunks: list[Chunk], docs: dict, info: dict) -> list[Chunk]:
    """The chunks of documents added to an otherwise unchanged corpus, when the delta BM25 may take them
    (the current index's delta and these stay within DELTA_SHARE of its main BM25); [] otherwise."""
    if current is None or current.info != info or any(docs.get(d) != meta for d, meta in current.docs.items()):
        return []
    known = set(current.ids)
    added = [c for c in chunks if c.id not in known]
    too_many = current.delta_size + len(added) > DELTA_SHARE * current.main_count
    if not added or len(chunks) - len(added) != len(known) or too_many:
        return []
    try:
        current.delta_part_tokens()  # read now: without them the delta cannot grow, and everything is rebuilt
    except (OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        log.warning("the index's delta cannot be read (%s): building the lexical index again", exc)
        return []
    return added


def _dimension(vectors: VectorStore, current: LexicalIndex | None, embedded: int) -> int:
    """The embedding size the index holds: known from the last ingest unless we embedded now."""
    if current is not None and not embedded and current.info.get("dimension"):
        return current.info["dimension"]
    return vectors.embeddings.dimension


def ingest(
    settings: Settings,
    *,
    analyzer: Analyzer,
    vectors: VectorStore,
    current: LexicalIndex | None = None,
    rebuild: bool = False,
    progress: bool = True,
) -> tuple[IngestReport, LexicalIndex]:
    """Bring the index in line with the corpus folder; returns what it did and the committed lexical index."""
    started = time.perf_counter()
    lexical_root = settings.index_dir / "lexical"
    if rebuild:
        vectors.drop()
        current = None
    documents, skipped = load_documents(settings.corpus_dir, int(settings.max_file_mb * 2**20))
    if not documents:
        raise CorpusError(f"no readable documents in {settings.corpus_dir}: add .txt, .md, .html or .pdf files")
    docs = {d.doc_id: _doc_meta(d) for d in documents}
    chunks = _chunked(documents, docs, settings, current)
    report = IngestReport(documents=len(documents), chunks=len(chunks), skipped=skipped)
    have = vectors.ids()
    _warn_if_long(sum(len(c.text) for c in chunks if c.id not in have))
    report.embedded = _embed_missing(vectors, have, chunks, docs, progress)
    info = IndexInfo.expected(settings, analyzer).as_dict()
    info["dimension"] = _dimension(vectors, current, report.embedded)

    def tables(vocab, knows):
        return build_tables(analyzer, vocab, knows)

    added = _appended(current, chunks, docs, info)
    if added:  # new documents only, and the delta stays small: the main BM25 is kept
        chunks = current.chunks + added
        tokens = _tokens(analyzer, added, None, info)
        if current.vectors is not None and len(current.vectors) == len(current.sentence_keys):
            # new documents bring only new sentences: their rows follow the current ones
            new_rows = _sentence_vectors(vectors.embeddings, added, None, progress)
            sentence_vectors = np.concatenate([current.vectors, new_rows])
        else:
            sentence_vectors = _sentence_vectors(vectors.embeddings, chunks, current, progress)
        lexical = current.extend(added, tokens, docs, tables, sentence_vectors)
        lexical.save(lexical_root)
        report.lexical_rebuilt = True
    elif current is None or _changed(current.ids, chunks) or current.info != info or current.docs != docs:
        tokens = _tokens(analyzer, chunks, current, info)
        sentence_vectors = _sentence_vectors(vectors.embeddings, chunks, current, progress)
        current = None  # its tables are spent: let them go before BM25 is built (at 100k chunks, 0.3 GB)
        lexical = LexicalIndex.build(chunks, docs, info, tables, tokens, sentence_vectors)
        lexical.save(lexical_root)
        report.lexical_rebuilt = True
    else:
        lexical = current
    stale = have - set(lexical.ids)  # what was just embedded belongs to the chunks, never stale
    vectors.delete(sorted(stale))
    report.removed = len(stale)
    report.seconds = time.perf_counter() - started
    return report, lexical
