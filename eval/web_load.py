"""The web app under load on a built index: questions one at a time, then concurrent plain HTTP clients.

    python eval/web_load.py --index /tmp/assistant-scale/c100000/index --corpus /tmp/assistant-scale/c100000/corpus

Starts `assistant web` on 127.0.0.1 over the given index (built by eval/scale.py), asks --sequential questions
one at a time, then --clients clients ask --per-client questions each at once, every question of the public
sets asked once (new to the app, so most reach chunks analysed for the first time). Prints p50/p95 of each,
failed or empty replies, the wall time and the app's RSS afterwards, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from assistant.evaluate import percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.servers
from scale import paragraphs_and_questions  # noqa: E402

from tests.servers import free_port, running  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--sequential", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-client", type=int, default=5)
    args = parser.parse_args()
    _, questions = paragraphs_and_questions()
    random.Random(7).shuffle(questions)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ASSISTANT_INDEX_DIR=str(args.index), ASSISTANT_CORPUS_DIR=str(args.corpus),
               GRADIO_ANALYTICS_ENABLED="False")

    def ask(session: httpx.Client, question: str) -> tuple[float, bool]:
        started = time.perf_counter()
        try:
            reply = session.post(f"{url}/gradio_api/run/ask", json={"data": [question]}, timeout=120)
            ok = reply.status_code == 200 and bool(reply.json()["data"][0]["text"])
        except (httpx.HTTPError, ValueError, KeyError, IndexError):
            ok = False
        return (time.perf_counter() - started) * 1e3, ok

    with running([sys.executable, "-m", "assistant", "web", "--port", str(port)], url, name="the web app",
                 env=env) as proc:
        with httpx.Client() as session:
            for question in questions[:3]:  # the first question loads the index and the encoder
                ask(session, question)
            one_at_a_time = [ask(session, q) for q in questions[3 : 3 + args.sequential]]
        first = 3 + args.sequential

        def client(k: int) -> list[tuple[float, bool]]:
            with httpx.Client() as session:
                return [ask(session, questions[first + k * args.per_client + i]) for i in range(args.per_client)]

        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            concurrent = [row for rows in pool.map(client, range(args.clients)) for row in rows]
        wall = time.perf_counter() - started
        rss = int(Path(f"/proc/{proc.pid}/status").read_text().split("VmRSS:")[1].split()[0]) / 1024

    def ms(rows, pct=None):
        values = [t for t, _ in rows]
        return percentile(values, pct) if pct else statistics.median(values)

    print(json.dumps({
        "one_at_a_time_p50_ms": ms(one_at_a_time), "one_at_a_time_p95_ms": ms(one_at_a_time, 95),
        "clients": args.clients, "per_client": args.per_client,
        "concurrent_p50_ms": ms(concurrent), "concurrent_p95_ms": ms(concurrent, 95),
        "failed_or_empty": sum(not ok for _, ok in one_at_a_time + concurrent), "concurrent_wall_s": wall,
        "app_rss_mb": rss}, indent=2))


if __name__ == "__main__":
    main()
