"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests.

Each request takes the next scripted reply (or the default one): text, an HTTP status, a delay.
Requests are recorded so tests can read the prompt the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None  # sent as-is instead of a well-formed reply
    piece_delay: float = 0.0  # pause between streamed pieces
    pieces: list[str] | None = None  # streamed as these pieces (default: 8-character pieces of ``text``)


class ScriptedLLM:
    def __init__(self):
        self.script: list[Reply] = []
        self.default = Reply("NOT_IN_SOURCES")
        self.responder = None  # request -> Reply | None, asked when the script is empty (e.g. a Replayer)
        self.requests: list[dict] = []
        self.in_flight = self.most_in_flight = 0  # requests being answered now, and the most at once
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def enqueue(self, *replies: Reply | str) -> None:
        self.script += [r if isinstance(r, Reply) else Reply(r) for r in replies]

    def next_reply(self, request: dict) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.script:
                return self.script.pop(0)
        reply = self.responder(request) if self.responder else None
        return reply or self.default

    def prompt(self, index: int = -1) -> str:
        return "\n".join(m["content"] for m in self.requests[index]["messages"])

    def start(self) -> ScriptedLLM:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        llm = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                reply = llm.next_reply(body)
                with llm._lock:
                    llm.in_flight += 1
                    llm.most_in_flight = max(llm.most_in_flight, llm.in_flight)
                try:
                    self._answer(body, reply)
                finally:
                    with llm._lock:
                        llm.in_flight -= 1

            def _answer(self, body, reply):
                time.sleep(reply.delay)
                if reply.raw is not None:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream" if body.get("stream") else "application/json")
                    self.end_headers()
                    self.wfile.write(reply.raw)
                elif reply.status != 200:
                    self._send(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                elif body.get("stream"):
                    self._stream(reply, body.get("model", "m"))
                else:
                    self._send(200, _completion("".join(reply.pieces) if reply.pieces is not None else reply.text,
                                                body.get("model", "m")))

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply, model):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                text = reply.text
                pieces = reply.pieces if reply.pieces is not None else [text[i : i + 8] for i in range(0, len(text), 8)]
                for piece in pieces:
                    self.wfile.write(f"data: {json.dumps(_chunk(piece, model, None))}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(reply.piece_delay)
                self.wfile.write(f"data: {json.dumps(_chunk('', model, 'stop'))}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        return Handler


def _completion(text: str, model: str) -> dict:
    return {"id": "cmpl-1", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _chunk(piece: str, model: str, finish) -> dict:
    return {"id": "cmpl-1", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": {"content": piece} if piece else {}, "finish_reason": finish}]}
