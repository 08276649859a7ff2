"""Web chat (Gradio): a chat panel, a sources panel with highlighted quotes, and an `ask` API endpoint.

It only calls the public API (``Assistant.answer``); passage text is HTML-escaped before it is shown.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import threading

from .core import Assistant
from .errors import AssistantError
from .profile import load_profile
from .snapshot import refreeze
from .types import Answer, Citation

log = logging.getLogger("assistant")

CSS = """
.src-card {border:1px solid var(--border-color-primary); border-radius:10px; padding:10px 14px; margin:0 0 10px 0;
  background:var(--background-fill-secondary);}
.src-head {font-weight:600; margin-bottom:2px;}
.src-n {display:inline-block; min-width:2em; color:var(--color-accent);}
.src-meta {font-size:0.85em; color:var(--body-text-color-subdued); margin-bottom:6px; word-break:break-all;}
.src-passage {margin:0; line-height:1.7; font-size:0.95em;}
.src-passage mark {background:#ffe58f; color:#111; padding:0 2px; border-radius:3px;}
.src-empty {color:var(--body-text-color-subdued); font-style:italic;}
.abstain {border-left:4px solid #d48806; padding-left:10px;}
.src-nearest .src-card {border-style:dashed; background:transparent;}
"""
WRITING = '<p class="src-empty">查核引用中 · Checking citations…</p>'
NO_SOURCES = '<p class="src-empty">尚無引用 · No sources yet: ask a question.</p>'
NEAREST = ('<p class="src-empty">最接近的段落,並非答案 · The closest passages: the sources may not answer this, '
           'judge for yourself.</p>')
NEAREST_NOTE = "最接近的段落列於來源欄,僅供參考 · The closest passages are in the sources panel, for reference."


def citation_card(c: Citation) -> str:
    """One source card; every piece of corpus text is escaped."""
    offset = c.start - c.passage_start
    before, after = c.passage[:offset], c.passage[offset + len(c.quote) :]
    link = c.url or c.source
    href = html.escape(link, quote=True) if link.startswith(("http://", "https://")) else ""
    if href:
        where = f'<a href="{href}" target="_blank" rel="noopener noreferrer">{html.escape(link)}</a>'
    else:  # a file: its name, the full path on hover
        name = html.escape(link.rsplit("/", 1)[-1])
        where = f'<span title="{html.escape(link, quote=True)}">{name}</span>'
    meta = " · ".join(html.escape(x) for x in (c.outlet, c.date) if x)
    return (
        f'<div class="src-card" id="src-{c.n}"><div class="src-head"><span class="src-n">[{c.n}]</span>'
        f"{html.escape(c.title)}</div><div class=\"src-meta\">{meta} · {where} · {c.start}–{c.end}</div>"
        f'<p class="src-passage">{html.escape(before)}<mark class="src-quote">{html.escape(c.quote)}</mark>'
        f"{html.escape(after)}</p></div>"
    )


def sources_html(reply: Answer | None) -> str:
    if reply is not None and reply.abstained and reply.nearest:
        return NEAREST + '<div class="src-nearest">' + "".join(citation_card(c) for c in reply.nearest) + "</div>"
    if reply is None or not reply.citations:
        return NO_SOURCES
    return "".join(citation_card(c) for c in reply.citations)


def chat_text(reply: Answer) -> str:
    if reply.abstained:
        return f"ⓘ {reply.text}" + (f"\n\n_{NEAREST_NOTE}_" if reply.nearest else "")  # ⓘ: CJK fonts have it, 🛈 not
    return reply.text + (f"\n\n_{reply.notice}_" if reply.notice else "")


def answer_json(bot: Assistant, question: str) -> dict:
    """The Answer as plain JSON (the `ask` API endpoint)."""
    return bot.answer(question).to_dict(passages=False)


def respond(bot: Assistant, question: str, messages: list[dict]):
    """One chat turn, streamed: yields (cleared textbox, messages, sources panel) as the answer grows."""
    history = list(messages or [])
    turn = history + [{"role": "user", "content": question}]
    try:
        partial, reply = "", None
        for item in bot.stream(question, history=history):
            if isinstance(item, str):
                partial += item
                yield "", turn + [{"role": "assistant", "content": partial}], WRITING
            else:
                reply = item
        text, panel = chat_text(reply), sources_html(reply)
    except AssistantError as exc:
        text, panel = f"⚠️ {exc}", NO_SOURCES
    except Exception:  # the page must show a message, never a stack trace
        log.exception("answering failed")
        text, panel = "⚠️ 系統錯誤,請稍後再試 · Something went wrong; please try again.", NO_SOURCES
    yield "", turn + [{"role": "assistant", "content": text}], panel


def build_app(bot: Assistant):
    import gradio as gr

    def on_submit(question, messages):
        yield from respond(bot, question, messages)

    # Extractive answers are CPU work under one GIL: taken one at a time they finish sooner than twenty
    # threads switching between them. With a language model the wait is the server's, so they overlap.
    one_at_a_time = threading.Lock() if not bot.settings.llm_base_url else contextlib.nullcontext()

    def ask(question: str) -> dict:
        try:
            with one_at_a_time:
                return answer_json(bot, question)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc

    profile = load_profile(bot.settings.corpus_dir)
    with gr.Blocks(title=profile.title) as app:
        gr.Markdown(f"# {profile.title}\n{profile.intro}")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="對話 · Chat", height=480, elem_id="chat")
                hint = f"例如 · e.g. {profile.examples[0]}" if profile.examples else "輸入問題 · Type a question"
                box = gr.Textbox(label="問題 · Question", placeholder=hint, elem_id="question")
                with gr.Row():
                    send = gr.Button("送出 · Ask", variant="primary", elem_id="ask-button")
                    clear = gr.Button("清除 · Clear")
                if profile.examples:
                    gr.Examples(list(profile.examples), inputs=box, label="範例問題 · Examples")
            with gr.Column(scale=2):
                gr.Markdown("### 引用來源 · Sources")
                panel = gr.HTML(NO_SOURCES, elem_id="sources")
        box.submit(on_submit, [box, chat], [box, chat, panel], api_visibility="private")
        send.click(on_submit, [box, chat], [box, chat, panel], api_visibility="private")
        clear.click(lambda: ([], NO_SOURCES), None, [chat, panel], api_visibility="private")
        gr.api(ask, api_name="ask", queue=False)  # a 4 ms answer: straight through, no queue round trips
    return app


# Gradio's page needs inline scripts and styles and its own websocket/SSE connections; nothing else is
# allowed, no other origin may frame the app, and browsers must not guess content types.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; media-src 'self' blob:; "
       "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer")]


class SecurityHeaders:
    """ASGI middleware: adds SECURITY_HEADERS to every HTTP response that lacks them."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, send_with_headers)


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """'user:password' → (user, password); both must be non-empty. Checked before anything starts."""
    if auth is None:
        return None
    user, colon, password = auth.partition(":")
    if not colon or not user.strip() or not password:
        raise AssistantError("--auth (or ASSISTANT_WEB_AUTH) wants user:password, both non-empty")
    return user, password


class LoginGuard:
    """Checks a login; each failure in a row waits a little longer (up to MAX_DELAY s) before answering,
    so guessing passwords is slow. A success resets the count."""

    MAX_DELAY = 5.0

    def __init__(self, user: str, password: str, sleep=None):
        import time

        self.user, self.password = user, password
        self.failures = 0
        self._lock = threading.Lock()
        self._sleep = sleep or time.sleep

    def __call__(self, user: str, password: str) -> bool:
        import hmac

        ok = hmac.compare_digest(user.encode(), self.user.encode()) & hmac.compare_digest(
            password.encode(), self.password.encode())
        with self._lock:
            self.failures = 0 if ok else self.failures + 1
            delay = 0.0 if ok else min(self.MAX_DELAY, 0.25 * 2 ** (self.failures - 1))
        if delay:
            log.warning("failed login for %r (%d in a row): waiting %.2f s", user, self.failures, delay)
            self._sleep(delay)
        return ok


def launch(bot: Assistant, *, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None, block: bool = True):
    """Start the app; ``auth`` is 'user:password'."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    credentials = parse_auth(auth)
    app = build_app(bot)
    app.queue(default_concurrency_limit=4)
    from starlette.middleware import Middleware

    app.launch(server_name=host, server_port=port, auth=LoginGuard(*credentials) if credentials else None, share=False, css=CSS,
               app_kwargs={"middleware": [Middleware(SecurityHeaders)]},
               prevent_thread_lock=not block, show_error=False, footer_links=["api"])
    return app


def serve(*, host: str, port: int, auth: str | None) -> int:
    """`assistant web`: make sure the index exists (with progress), then serve until interrupted."""
    from .settings import Settings

    parse_auth(auth)  # a bad --auth is refused before the model warms up or a URL is printed
    bot = Assistant(Settings())
    bot.warm()  # builds the index on first use (with a progress bar) and loads the model
    refreeze()  # and each index opened later (see Library.open)
    print(f"assistant: web chat on http://{host}:{port}")
    launch(bot, host=host, port=port, auth=auth)
    return 0
