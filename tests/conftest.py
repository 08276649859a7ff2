"""Shared fixtures: isolated environment, no outbound network, the real encoder (counted), throwaway corpora."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import shutil
import socket
from pathlib import Path

import pytest

from tests.servers import free_port  # noqa: F401 (tests import it from here)
from assistant import Assistant, Settings

ROOT = Path(__file__).resolve().parent.parent


def eval_script(name: str):
    """One of eval/'s scripts (tune_squad, phrasing) as a module, for the tests of what it computes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "eval" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
ARTICLE = "iknow-2025-05-15-ai-chip-export-rules.txt"


class FakeEmbeddings:
    """Deterministic bag-of-bigrams hashing embedding: cheap, offline, similar texts stay close."""

    dimension = 64

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        for i in range(len(text) - 1):
            bucket = int(hashlib.md5(text[i : i + 2].encode()).hexdigest(), 16) % self.dimension
            vec[bucket] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls = getattr(self, "calls", 0) + len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket path
        return True
    host = address[0]
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_outbound_network(monkeypatch):
    """Any connection that leaves the machine fails the test."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded(method):
        def connect(self, address):
            if not _is_local(address):
                raise AssertionError(f"outbound connection attempted to {address}")
            return method(self, address)

        return connect

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch):
    """Each test starts without ASSISTANT_* overrides and with the offline switches on."""
    import os

    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    """A copy of the real corpus folder (article, manifest, lexicon) the test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", target)
    return target


class CountingEmbeddings:
    """The real default encoder (USE multilingual, numpy only, fast to load), counting what it embeds."""

    def __init__(self, encoder):
        self.encoder = encoder
        self.dimension = encoder.dimension
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += len(texts)
        return self.encoder.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.encoder.embed_query(text)


@pytest.fixture(scope="session")
def encoder():
    from assistant.embeddings import UniversalSentenceEncoder

    return UniversalSentenceEncoder()


@pytest.fixture
def settings(tmp_path, corpus_dir) -> Settings:
    return Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")


@pytest.fixture
def embeddings(encoder) -> CountingEmbeddings:
    return CountingEmbeddings(encoder)


@pytest.fixture
def corpus_bot(tmp_path, embeddings):
    """Makes an assistant over a corpus folder of the given files ({name: text}), index built."""

    def make(files: dict[str, str]) -> Assistant:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        for name, text in files.items():
            (corpus / name).write_text(text, encoding="utf-8")
        assistant = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), embeddings=embeddings)
        assistant.ingest(progress=False)
        return assistant

    return make


@pytest.fixture
def fresh_bot(settings, embeddings) -> Assistant:
    """An assistant over its own copy of the real corpus, index built: for tests that change either."""
    assistant = Assistant(settings, embeddings=embeddings)
    assistant.ingest(progress=False)
    return assistant


@pytest.fixture(scope="session")
def shared_bot(tmp_path_factory, encoder) -> Assistant:
    """One assistant over a copy of the real corpus for the whole session, for tests that only ask."""
    root = tmp_path_factory.mktemp("shared")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    assistant = Assistant(Settings(corpus_dir=root / "corpus", index_dir=root / "index"),
                          embeddings=CountingEmbeddings(encoder))
    assistant.ingest(progress=False)
    return assistant


# A test that asks for the corpus folder, the settings or the embeddings may change the corpus or the index
# (or count what is embedded): it gets a fresh assistant; every other test shares one read-only assistant.
_CHANGES = {"corpus_dir", "settings", "embeddings"}


@pytest.fixture
def bot(request) -> Assistant:
    """The real corpus, indexed: shared, or fresh when the test may change it (see ``_CHANGES``)."""
    return request.getfixturevalue("fresh_bot" if _CHANGES & set(request.fixturenames) else "shared_bot")


@pytest.fixture
def default_bot(bot):
    """``bot`` behind the module-level ``answer()`` and the CLI, through the public hook; restored after."""
    from assistant.core import set_default_assistant

    previous = set_default_assistant(bot)
    yield bot
    set_default_assistant(previous)


@pytest.fixture(scope="session")
def real_bot(tmp_path_factory) -> Assistant:
    """The real model on the real corpus, indexed once per session in a temp folder."""
    index = tmp_path_factory.mktemp("real-index")
    assistant = Assistant(Settings(index_dir=index))
    assistant.ingest(progress=False)
    return assistant


@pytest.fixture
def llm():
    """A scripted OpenAI-compatible server on a loopback port."""
    from tests.fake_llm import ScriptedLLM

    server = ScriptedLLM().start()
    yield server
    server.stop()


@pytest.fixture
def llm_bot(bot, llm) -> Assistant:
    """The shared index with generation through the scripted server (2 s to the first words, 4 s in all)."""
    settings = bot.settings.model_copy(update={"llm_base_url": llm.url, "llm_model": "scripted",
                                                   "llm_first_token_timeout": 2.0, "llm_timeout": 4.0})
    return Assistant(settings, embeddings=bot.embeddings)
