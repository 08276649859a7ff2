"""Against real servers on 127.0.0.1: a `chroma run` server, and web pages served by the test."""

import http.server
import threading
import time
from functools import partial

import pytest

from assistant import Assistant
from assistant.cli import main
from assistant.errors import FetchError
from assistant.fetch import add_url
from tests import servers
from tests.conftest import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path):
    try:
        with servers.chroma_server(tmp_path / "chroma-data") as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(f"chroma server did not start: {exc}")


def test_chroma_server_backend(settings, embeddings, chroma_server):
    remote = settings.model_copy(update={"chroma_url": chroma_server})
    bot = Assistant(remote, embeddings=embeddings)
    first = bot.ingest(progress=False)
    assert first.embedded == first.chunks > 0
    again = Assistant(remote, embeddings=embeddings).ingest(progress=False)
    assert again.embedded == 0
    assert not settings.index_dir.joinpath("chroma").exists(), "nothing may go to the embedded store"
    assert "5月13日" in bot.answer("美國商務部何時撤銷AI擴散規則?").text


def test_unreachable_chroma_server_is_a_clear_error(settings, embeddings):
    remote = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{free_port()}"})
    from assistant.errors import IndexUnreachable

    with pytest.raises(IndexUnreachable, match="cannot reach the Chroma server.*chroma run"):
        Assistant(remote, embeddings=embeddings).ingest(progress=False)


PAGE = """<!doctype html><html><head><title>US reverses Biden-era export controls</title></head>
<body><header><a href="/">Home</a> | <a href="/world">World</a></header>
<article><h1>US reverses Biden-era export controls on advanced AI chips</h1>
<p>The Commerce Department said on Tuesday it had rescinded the AI diffusion rule before it took effect.</p>
<p>Officials said new guidance would warn that using Huawei Ascend chips anywhere could violate US export controls.</p>
<p>The move came days after Washington and Beijing agreed to pause most tariffs on each other.</p></article>
<footer>Copyright notice and cookie banner</footer></body></html>"""


@pytest.fixture
def web_pages(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "story.html").write_text(PAGE, encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_add_url_extracts_main_text_and_ingest_uses_manifest(settings, embeddings, web_pages):
    path = add_url(f"{web_pages}/story.html", settings, doc_id="afp-2025-05-13", allow_private=True)
    text = path.read_text(encoding="utf-8")
    assert "rescinded the AI diffusion rule" in text
    assert "cookie banner" not in text and "Home" not in text
    bot = Assistant(settings, embeddings=embeddings)
    bot.ingest(progress=False)
    reply = bot.answer("Which chips could violate US export controls according to the guidance?")
    cite = next(c for c in reply.citations if c.doc_id == "afp-2025-05-13")
    assert cite.outlet == "AFP" and cite.url.endswith("/story.html")
    assert path.read_text(encoding="utf-8")[cite.start : cite.end] == cite.quote
    zh = bot.answer("華為昇騰晶片會違反什麼?")
    assert not zh.abstained


def test_add_url_errors_are_clear(settings, web_pages, capsys, monkeypatch):
    with pytest.raises(FetchError, match="404"):
        add_url(f"{web_pages}/missing.html", settings, allow_private=True)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    assert main(["add", "ftp://example.invalid/x"]) == 1
    assert "not an http(s) URL" in capsys.readouterr().err


def test_answers_degrade_to_lexical_when_the_chroma_server_goes_away(settings, embeddings, chroma_server, caplog):
    import logging

    remote = settings.model_copy(update={"chroma_url": chroma_server})
    Assistant(remote, embeddings=embeddings).ingest(progress=False)
    gone = remote.model_copy(update={"chroma_url": f"http://127.0.0.1:{free_port()}"})
    with caplog.at_level(logging.WARNING, logger="assistant"):
        reply = Assistant(gone, embeddings=embeddings).answer("美國商務部何時撤銷AI擴散規則?")
    assert "5月13日" in reply.text and "dense retrieval unavailable" in caplog.text
    assert "keyword index alone" in reply.notice  # said on the Answer too, not only in the log


class SlowHandler(http.server.BaseHTTPRequestHandler):
    """Serves /big (more than the cap, no length header), /slow (a byte every 0.5 s), /pdf, and
    /hop?to=URL (a redirect)."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.startswith("/hop?to="):
            self.send_response(302)
            self.send_header("Location", self.path.split("=", 1)[1])
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf" if self.path == "/pdf" else "text/html")
        self.end_headers()
        try:
            if self.path == "/big":
                for _ in range(3 * 1024):
                    self.wfile.write(b"<p>" + b"x" * 1021)
            elif self.path == "/slow":
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def odd_pages():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_downloads_are_bounded_in_size_time_and_type(settings, odd_pages):
    small = settings.model_copy(update={"max_download_mb": 1.0, "fetch_deadline": 2.0})
    with pytest.raises(FetchError, match="larger than the 1.0 MB limit"):
        add_url(f"{odd_pages}/big", small, allow_private=True)
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than 2 s"):
        add_url(f"{odd_pages}/slow", small, allow_private=True)
    assert time.monotonic() - started < 6
    with pytest.raises(FetchError, match="application/pdf"):
        add_url(f"{odd_pages}/pdf", small, allow_private=True)


def test_local_addresses_need_allow_private(settings, web_pages):
    with pytest.raises(FetchError, match="local or private address.*--allow-private"):
        add_url(f"{web_pages}/story.html", settings)


def test_an_existing_file_or_url_is_kept_without_force(settings, web_pages, capsys, monkeypatch):
    first = add_url(f"{web_pages}/story.html", settings, doc_id="afp-2025-05-13", allow_private=True)
    with pytest.raises(FetchError, match="already saved as afp-2025-05-13.txt.*--force"):
        add_url(f"{web_pages}/story.html", settings, doc_id="other", allow_private=True)
    first.write_text("edited by hand", encoding="utf-8")
    with pytest.raises(FetchError, match="already"):
        add_url(f"{web_pages}/story.html", settings, doc_id="afp-2025-05-13", allow_private=True)
    assert first.read_text(encoding="utf-8") == "edited by hand"
    add_url(f"{web_pages}/story.html", settings, doc_id="afp-2025-05-13", force=True, allow_private=True)
    assert "rescinded" in first.read_text(encoding="utf-8")


def test_a_redirect_is_checked_like_the_first_address(settings, odd_pages, web_pages, monkeypatch):
    from assistant import fetch

    real = fetch.check_address

    def only_the_first_server(url, *, allow_private):
        if url.startswith(web_pages):
            raise FetchError(f"{url} refused")
        return real(url, allow_private=True)

    monkeypatch.setattr(fetch, "check_address", only_the_first_server)
    with pytest.raises(FetchError, match="refused"):
        add_url(f"{odd_pages}/hop?to={web_pages}/story.html", settings)
