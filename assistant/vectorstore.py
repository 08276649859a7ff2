"""Dense index adapter: a Chroma collection (embedded or a server). Writes go through langchain-chroma;
reads (count, nearest chunks) ask the collection directly, so answering never imports LangChain's vector
store layer (0.45 s of a cold start)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from urllib.parse import urlparse

from .embeddings import LazyEmbeddings
from .errors import REBUILD, AssistantError, IndexDamaged, IndexMismatch, IndexUnreachable, model_mismatch
from .settings import Settings

log = logging.getLogger("assistant")

# Cosine distance, and a search breadth of 200 candidates instead of Chroma's 100. Chroma rebuilds the newest
# part of its HNSW graph in each process that opens the index, with several threads, so the graph differs from
# one process to the next; at 100, about one process in five returned other nearest chunks for the same question
# on the same index (eval/HISTORY.md). At 200, 30 processes of 30 returned the exact list.
EF_SEARCH = 200
HNSW = {"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}}


def make_client(settings: Settings):
    """``HttpClient`` when ASSISTANT_CHROMA_URL is set, else a ``PersistentClient`` in the index folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    quiet = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https", settings=quiet
            )
        except Exception as exc:
            raise IndexUnreachable(f"cannot reach the Chroma server at {settings.chroma_url} ({exc}); is `chroma run` up?") from exc
    try:
        return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=quiet)
    except Exception as exc:
        raise IndexDamaged(f"the Chroma index in {settings.index_dir} cannot be opened ({exc}); {REBUILD}") from exc


class VectorStore:
    """The chunk embeddings, keyed by content-derived chunk IDs."""

    def __init__(self, settings: Settings, embeddings: LazyEmbeddings, client=None):
        self.settings = settings
        self.embeddings = embeddings
        self.client = client or make_client(settings)
        self._store = None
        self._collection = None

    @property
    def collection(self):
        """The raw Chroma collection, created as langchain-chroma creates it (no embedding function: Chroma's
        default one would download a model)."""
        if self._collection is None:
            self._check_model()
            collection = self.client.get_or_create_collection(
                name=self.settings.collection, embedding_function=None, configuration=HNSW, metadata=self._metadata)
            if (collection.configuration.get("hnsw") or {}).get("ef_search", EF_SEARCH) < EF_SEARCH:
                try:  # an index built before: widen it once; a failure (the database busy) leaves it as it was
                    collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
                except Exception as exc:
                    log.debug("could not widen the dense search of %s: %s", self.settings.collection, exc)
            self._collection = collection
        return self._collection

    @property
    def store(self):
        if self._store is None:
            from langchain_chroma import Chroma

            self._check_model()
            self._store = Chroma(
                collection_name=self.settings.collection,
                embedding_function=self.embeddings,
                client=self.client,
                collection_metadata=self._metadata,
                collection_configuration=HNSW,
            )
        return self._store

    @property
    def _metadata(self) -> dict:
        """What the collection records of itself, whichever of the two paths above creates it."""
        return {"embedding_model": self.settings.model_label}

    def _check_model(self) -> None:
        try:
            names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
            if self.settings.collection not in names:
                return
            meta = self.client.get_collection(self.settings.collection).metadata or {}
        except Exception as exc:
            raise self._failure(exc) from exc
        if meta.get("embedding_model") not in (None, self.settings.model_label):
            raise model_mismatch(meta["embedding_model"], self.settings.model_label)

    @contextmanager
    def _reaching(self):
        """Turn a failure to reach the store into an error that says where it is and what to do."""
        try:
            yield
        except AssistantError:
            raise
        except Exception as exc:
            raise self._failure(exc) from exc

    def _failure(self, exc: Exception) -> AssistantError:
        if self.settings.chroma_url:
            return IndexUnreachable(
                f"cannot reach the Chroma server at {self.settings.chroma_url} ({type(exc).__name__}: {exc}); "
                "start it (`chroma run`) or unset ASSISTANT_CHROMA_URL"
            )
        return IndexDamaged(f"the Chroma collection cannot be read ({exc}); {REBUILD}")

    def count(self) -> int:
        """How many embeddings the collection holds."""
        with self._reaching():
            return self.collection.count()

    def ids(self) -> set[str]:
        with self._reaching():
            return set(self.collection.get(include=[])["ids"])

    def add(self, ids: list[str], texts: list[str], metadatas: list[dict]) -> None:
        with self._reaching():
            self.store.add_texts(texts=texts, metadatas=metadatas, ids=ids)

    def delete(self, ids: list[str]) -> None:
        if ids:
            with self._reaching():
                self.store.delete(ids=ids)

    def drop(self) -> None:
        try:
            self.client.delete_collection(self.settings.collection)
        except Exception as exc:  # absent already, or the store is damaged: a rebuild starts over either way
            log.debug("could not drop collection %s: %s", self.settings.collection, exc)
        self._store = self._collection = None

    def search(self, vector: list[float], k: int, *, dimension: int | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``k`` chunks nearest to a query embedding; ``dimension`` is
        what the index holds."""
        vector = [float(x) for x in vector]
        if dimension and len(vector) != dimension:
            raise IndexMismatch(
                f"index holds {dimension}-dimensional embeddings, model {self.settings.model_label} gives "
                f"{len(vector)}: {REBUILD}"
            )
        found = self.collection.query(query_embeddings=[vector], n_results=k, include=["distances"])
        return [(chunk_id, 1.0 - distance) for chunk_id, distance in zip(found["ids"][0], found["distances"][0])]
