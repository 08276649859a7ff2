"""The web app launched for real on a loopback port: the HTTP API through gradio_client, the page in Chromium."""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.web import launch
from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.slow
XSS = ('安全測試文件:惡意標記<script>window.__xss=1</script>與<img src=x onerror="window.__xss=2">'
       '夾帶在昇騰晶片測試段落裡。')
XSS_QUESTION = "安全測試文件的惡意標記夾帶在哪個段落?"


@pytest.fixture(scope="module")
def web_url(real_bot, tmp_path_factory):
    corpus = tmp_path_factory.mktemp("web") / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "xss-test.txt").write_text(XSS, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=corpus.parent / "index")
    bot = Assistant(settings, embeddings=real_bot.embeddings)
    bot.ingest(progress=False)
    port = free_port()
    app = launch(bot, port=port, block=False)
    yield f"http://127.0.0.1:{port}"
    app.close()


@pytest.fixture
def client(web_url):
    from gradio_client import Client

    return Client(web_url, verbose=False)


def test_api_answers_a_chinese_question_with_citations(client):
    data = client.predict("美國商務部何時撤銷AI擴散規則?", api_name="/ask")
    assert not data["abstained"] and "5月13日" in data["text"]
    first = data["citations"][0]
    assert {"n", "doc_id", "title", "source", "quote", "start", "end"} <= set(first)
    # the served corpus is a copy outside the checkout: its sources are named relative to the corpus folder
    assert not first["source"].startswith("/")
    assert (ROOT / "corpus" / first["source"]).read_text(encoding="utf-8")[first["start"] : first["end"]] == first["quote"]


def test_api_abstains_on_an_unanswerable_question(client):
    data = client.predict("What is the capital of France?", api_name="/ask")
    assert data["abstained"] and data["citations"] == []


def test_api_abstention_carries_the_nearest_passages(client):
    data = client.predict("黃仁勳和川普在佛州哪裡吃飯?", api_name="/ask")
    assert data["abstained"] and data["citations"] == [] and "海湖莊園" in data["nearest"][0]["quote"]


def test_api_rejects_an_empty_question_with_a_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty"):
        client.predict("   ", api_name="/ask")


def test_twenty_concurrent_questions_all_succeed(web_url):
    from gradio_client import Client

    questions = ["輝達為中國設計了哪些降規晶片?", "Who is the Commerce Department undersecretary?",
                 "英伟达首席执行官黄仁勋估计中国芯片市场有多大?", "使用華為昇騰晶片會有什麼後果?"] * 5

    def ask(question):
        return Client(web_url, verbose=False).predict(question, api_name="/ask")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(ask, questions))
    assert len(results) == 20 and all(r["citations"] and not r["abstained"] for r in results)


def test_generated_answers_over_the_api_overlap(llm_bot, llm):
    """Extractive answers are taken one at a time (CPU work under one GIL); answers that wait on a language
    model are not, or each client would wait for every other client's model call."""
    import httpx

    from tests.fake_llm import Reply

    question = "美國商務部何時撤銷AI擴散規則?"
    n = next(i for i, p in enumerate(llm_bot.retrieve(question), 1) if "5月13日" in p.text)
    text = f"美國商務部於5月13日正式撤銷了拜登政府的AI晶片出口管制規定。[{n}]"
    llm.enqueue(Reply(text, delay=1.0), Reply(text, delay=1.0))
    port = free_port()
    app = launch(llm_bot, port=port, block=False)
    try:
        def ask(_):
            return httpx.post(f"http://127.0.0.1:{port}/gradio_api/run/ask", json={"data": [question]},
                              timeout=30).json()["data"][0]
        with ThreadPoolExecutor(max_workers=2) as pool:
            replies = list(pool.map(ask, range(2)))
    finally:
        app.close()
    assert all(r["citations"] and not r["abstained"] for r in replies)
    assert llm.most_in_flight == 2


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is needed: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _shots() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/assistant-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.goto(url, wait_until="load")  # not networkidle: Gradio keeps a heartbeat open
    page.wait_for_selector("#question textarea", timeout=30000)
    return page


@pytest.fixture
def page(browser, web_url):
    page = open_page(browser, web_url)
    yield page
    page.close()


def _ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#ask-button")
    page.wait_for_selector("#sources .src-card", timeout=30000)


@pytest.mark.browser
@pytest.mark.parametrize("question, shot", [("輝達為中國設計了哪些降規晶片?", "web-zh.png"),
                                            ("Which downgraded chips did Nvidia design for China?", "web-en.png")])
def test_browser_shows_answer_and_highlighted_sources(page, question, shot):
    _ask(page, question)
    quote = page.inner_text("#sources .src-card mark.src-quote")
    assert "H20" in quote
    assert "[1]" in page.inner_text("#chat") and "H20" in page.inner_text("#chat")
    page.screenshot(path=str(_shots() / shot), full_page=True)


@pytest.mark.browser
def test_browser_renders_corpus_markup_as_text(page):
    _ask(page, XSS_QUESTION)
    card = page.inner_text("#sources")
    assert "<script>window.__xss=1</script>" in card and "onerror" in card
    assert page.evaluate("window.__xss") is None
    assert page.locator("#sources script, #sources img").count() == 0


@pytest.mark.browser
def test_browser_shows_abstention_and_errors_as_messages(page):
    _ask_text(page, "What is the capital of France?")
    assert "sources don't say" in page.inner_text("#chat")
    _ask_text(page, "黃仁勳和川普在佛州哪裡吃飯?")  # abstained, but the gate came close: the nearest passage is shown
    page.wait_for_function("() => document.querySelector('#sources').innerText.includes('海湖莊園')", timeout=30000)
    assert "最接近的段落" in page.inner_text("#sources")
    page.screenshot(path=str(_shots() / "web-nearest.png"), full_page=True)
    _ask_text(page, "晶片" * 1001)
    assert "limit is 2000" in page.inner_text("#chat")


def _ask_text(page, question: str) -> None:
    before = page.locator("#chat .message-row, #chat .message").count()
    page.fill("#question textarea", question)
    page.click("#ask-button")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .message-row, #chat .message').length >= n + 2", arg=before, timeout=30000)


def test_basic_auth_guards_the_app(bot):
    import httpx

    port = free_port()
    app = launch(bot, port=port, auth="reader:s3cret", block=False)
    try:
        url = f"http://127.0.0.1:{port}"
        question = {"data": ["輝達為中國設計了哪些降規晶片?"]}
        assert httpx.post(f"{url}/gradio_api/run/ask", json=question).status_code in (401, 403)  # the JSON API too
        assert httpx.post(f"{url}/login", data={"username": "reader", "password": "wrong"}).status_code == 400
        assert httpx.post(f"{url}/login", data={"username": "reader", "password": "s3cret"}).status_code == 200
        from gradio_client import Client

        data = Client(url, auth=("reader", "s3cret"), verbose=False).predict("輝達為中國設計了哪些降規晶片?", api_name="/ask")
        assert "H20" in data["text"]
        with httpx.Client() as session:  # a plain HTTP client, logged in
            session.post(f"{url}/login", data={"username": "reader", "password": "s3cret"})
            assert "H20" in session.post(f"{url}/gradio_api/run/ask", json=question).json()["data"][0]["text"]
    finally:
        app.close()


@pytest.mark.parametrize("auth", ["no-colon", ":", "user:", ":password", " :x"])
def test_malformed_auth_is_a_clear_error(bot, auth):
    from assistant import AssistantError

    with pytest.raises(AssistantError, match="user:password, both non-empty"):
        launch(bot, port=free_port(), auth=auth, block=False)


def test_bad_auth_is_refused_before_the_model_warms(monkeypatch, capsys):
    from assistant import web
    from assistant.cli import main

    monkeypatch.setattr(web, "Assistant", lambda *a, **k: pytest.fail("built an assistant before checking --auth"))
    assert main(["web", "--auth", "user:"]) == 1
    captured = capsys.readouterr()
    assert "user:password" in captured.err and "http://" not in captured.out


def test_failed_logins_back_off():
    from assistant.web import LoginGuard

    waits = []
    guard = LoginGuard("reader", "s3cret", sleep=waits.append)
    assert not guard("reader", "x") and not guard("reader", "y") and not guard("admin", "s3cret")
    assert waits == [0.25, 0.5, 1.0]
    assert guard("reader", "s3cret") and waits == [0.25, 0.5, 1.0]  # success: no wait, count reset
    assert not guard("reader", "z") and waits[-1] == 0.25


@pytest.mark.browser
def test_browser_streams_a_generated_answer(browser, llm_bot, llm):
    from tests.fake_llm import Reply

    question = "美國商務部何時撤銷AI擴散規則?"
    n = next(i for i, p in enumerate(llm_bot.retrieve(question), 1) if "5月13日" in p.text)
    text = f"美國商務部於5月13日正式撤銷了拜登政府的AI晶片出口管制規定。[{n}]"
    llm.enqueue(Reply(text, piece_delay=0.6))
    port = free_port()
    app = launch(llm_bot, port=port, block=False)
    page = open_page(browser, f"http://127.0.0.1:{port}")
    try:
        page.fill("#question textarea", question)
        page.click("#ask-button")
        page.wait_for_function("() => document.querySelector('#chat').innerText.includes('美國商務部於')", timeout=30000)
        partial = page.inner_text("#chat")
        assert "出口管制規定。[1]" not in partial, "the first pieces show before the reply is complete"
        page.wait_for_selector("#sources .src-card mark.src-quote", timeout=30000)
        assert "出口管制規定。[1]" in page.inner_text("#chat")
    finally:
        page.close()
        app.close()


@pytest.mark.browser
def test_browser_follow_up_uses_the_first_turn(page):
    """Typed into the real page: Gradio 6 sends the history as content lists, and the second turn needs it."""
    _ask_text(page, "伯恩斯坦的分析師是誰?")
    assert "Rasgon" in page.inner_text("#chat")
    _ask_text(page, "他警告了什麼?")
    last = page.locator("#chat .message-row, #chat .message").last.inner_text()
    assert "雙邊" in last and "訓練中國AI模型" not in last


def test_responses_carry_security_headers(web_url):
    import httpx

    for path in ("/", "/config", "/gradio_api/info"):
        headers = httpx.get(f"{web_url}{path}", timeout=10).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in headers["content-security-policy"]
