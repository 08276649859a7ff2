"""Scale benchmark: corpora of about 1,000, 10,000 and 100,000 chunks built from the public sets' paragraphs.

    python eval/scale.py                          # 1k, 10k and 100k chunks (the 100k ingest takes a while)
    python eval/scale.py --sizes 1000 --out /tmp/s  # the smoke run (.ci/run)
    python eval/scale.py --sizes 1000,10000 --served  # also the same questions with the vectors on `chroma run`

Paragraphs of DRCD, CMRC 2018 and XQuAD (zh, en) are grouped into articles of about 3,000 characters. Past
the first pass, each copy shifts every number by its copy number and carries a copy tag, so no two copies
are identical and every chunk is embedded. Per size, in one run: first ingest (characters/s, peak RSS),
unchanged re-ingest, adding one article, editing it (a full lexical rebuild: time and peak RSS), cold `assistant ask`, warm answer() p50/p95 over questions of the
real sets, and the answering process's RSS. Quality is measured on the real sets (assistant eval --squad),
not here. Results go to OUT/scale.json and OUT/scale.png; built corpora and indexes stay under --work.
Without the public sets (--data missing), the bundled article's paragraphs and eval/ questions stand in, so the
smoke run works on any machine. With --served, the same corpus is also ingested into a Chroma server started on
127.0.0.1 and the same warm questions are timed against it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from assistant import Assistant, Settings
from assistant.evaluate import percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.servers: the one way this project starts a server on loopback
DATA = ROOT.parent / "shared" / "datasets"
SOURCES = ["drcd/DRCD_dev.json", "cmrc2018/cmrc2018_trial.json", "xquad/xquad.zh.json", "xquad/xquad.en.json"]
ARTICLE_CHARS = 3_000
CHARS_PER_CHUNK = 70  # text per chunk on these sets (chunks share a sentence with their neighbour); sizes the corpora


def paragraphs_and_questions(data_dir: Path = DATA) -> tuple[list[str], list[str]]:
    if not all((data_dir / name).exists() for name in SOURCES):
        print(f"no public sets under {data_dir}: using the bundled article and eval/ questions", file=sys.stderr)
        return bundled()
    paragraphs, questions = [], []
    for name in SOURCES:
        data = json.loads((data_dir / name).read_text(encoding="utf-8"))["data"]
        for article in data:
            for p in article["paragraphs"]:
                paragraphs.append(p["context"].strip())
                questions += [qa["question"] for qa in p["qas"][:1]]
    return paragraphs, questions


def bundled() -> tuple[list[str], list[str]]:
    from assistant.evaluate import DEFAULT_QUESTIONS, load_questions
    from assistant.settings import PROJECT_ROOT

    paragraphs = [line.strip() for path in sorted((PROJECT_ROOT / "corpus").glob("*.txt"))
                  for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 40]
    return paragraphs, [q.question for q in load_questions(DEFAULT_QUESTIONS)]


def _variant(text: str, copy: int) -> str:
    if copy == 0:
        return text
    shifted = re.sub(r"\d+", lambda m: str(int(m.group()) + copy), text)
    return f"(copy {copy}) {shifted}"


def build(folder: Path, chunks: int, paragraphs: list[str]) -> int:
    """Write articles until about ``chunks`` chunks' worth of text; returns the characters written."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("*.txt")):
        return sum(len(p.read_text(encoding="utf-8")) for p in folder.glob("*.txt"))
    target, written, article, number, copy = chunks * CHARS_PER_CHUNK, 0, [], 0, 0
    while written < target:
        for paragraph in paragraphs:
            article.append(_variant(paragraph, copy))
            if sum(map(len, article)) >= ARTICLE_CHARS or written + sum(map(len, article)) >= target:
                text = "\n\n".join(article)
                (folder / f"a{number:06d}.txt").write_text(text, encoding="utf-8")
                written, article, number = written + len(text), [], number + 1
            if written >= target:
                break
        copy += 1
    return written


def cli(args: list[str], env: dict) -> tuple[float, float]:
    """Wall time of one assistant command and its peak RSS in MB (a child's ru_maxrss)."""
    script = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "assistant", *args], env=env,
                         check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - started, int(out.split()[-1]) / 1024


def warm(settings: Settings, questions: list[str], asked: int) -> tuple[list[float], Assistant, float]:
    """Per-question ms of ``asked`` questions after five warm-up ones, the assistant, and its open time."""
    bot = Assistant(settings)
    opened = time.perf_counter()
    bot.open()
    open_s = time.perf_counter() - opened
    for q in questions[:5]:
        bot.answer(q)
    times = []
    for q in questions[5 : 5 + asked]:
        started = time.perf_counter()
        bot.answer(q)
        times.append((time.perf_counter() - started) * 1e3)
    return times, bot, open_s


def served(corpus: Path, index: Path, questions: list[str], asked: int) -> dict:
    """Ingest into a `chroma run` server on 127.0.0.1 and time the same warm questions against it."""
    from tests.servers import chroma_server

    with chroma_server(index.parent / "chroma-server-data") as url:
        settings = Settings(corpus_dir=corpus, index_dir=index.parent / "index-served", chroma_url=url)
        started = time.perf_counter()
        Assistant(settings).ingest(progress=False)
        ingest_s = time.perf_counter() - started
        times, _, _ = warm(settings, questions, asked)
        return {"served_ingest_s": ingest_s, "served_warm_p50_ms": statistics.median(times),
                "served_warm_p95_ms": percentile(times, 95)}


def measure(size: int, root: Path, paragraphs: list[str], questions: list[str], asked: int,
            with_server: bool = False) -> dict:
    corpus, index = root / f"c{size}" / "corpus", root / f"c{size}" / "index"
    characters = build(corpus, size, paragraphs)
    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(corpus), ASSISTANT_INDEX_DIR=str(index))
    first_s, first_rss = cli(["ingest", "--quiet"], env)
    again_s, _ = cli(["ingest", "--quiet"], env)
    extra = corpus / "zz-added.txt"
    extra.write_text(_variant(paragraphs[0], 10_000), encoding="utf-8")
    added_s, _ = cli(["ingest", "--quiet"], env)
    extra.write_text(extra.read_text(encoding="utf-8") + "\n\nOne more sentence.", encoding="utf-8")
    edited_s, edited_rss = cli(["ingest", "--quiet"], env)  # a changed document: everything lexical is rebuilt
    cold_s, _ = cli(["ask", questions[0]], env)
    times, bot, open_s = warm(Settings(corpus_dir=corpus, index_dir=index), questions, asked)
    result = {"chunks": len(bot.index.chunks), "characters": characters, "ingest_s": first_s,
              "ingest_chars_per_s": characters / first_s, "ingest_peak_rss_mb": first_rss,
              "reingest_unchanged_s": again_s, "add_one_article_s": added_s,
              "edit_one_article_s": edited_s, "edit_peak_rss_mb": edited_rss, "cold_ask_s": cold_s,
              "open_s": open_s, "warm_p50_ms": statistics.median(times), "warm_p95_ms": percentile(times, 95),
              "answering_rss_mb": _rss_mb()}
    if with_server:
        result.update(served(corpus, index, questions, asked))
    return result


def _rss_mb() -> float:
    """This process's resident memory now (each size is measured in a fresh Assistant; the last is freed)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r["chunks"] for r in results]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(x, [r["warm_p50_ms"] for r in results], marker="o", label="warm answer() p50")
    ax.plot(x, [r["warm_p95_ms"] for r in results], marker="o", label="warm answer() p95")
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("ms per question")
    ax.legend(fontsize=8)
    ax.set_title("latency against corpus size (2 cores)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--work", default="/tmp/assistant-scale", help="built corpora and indexes (kept)")
    parser.add_argument("--out", default="eval/report-scale")
    parser.add_argument("--questions", type=int, default=200, help="timed questions per size")
    parser.add_argument("--data", type=Path, default=DATA, help="the public sets (else the bundled article stands in)")
    parser.add_argument("--served", action="store_true", help="also time the questions with a `chroma run` server")
    args = parser.parse_args()
    paragraphs, questions = paragraphs_and_questions(args.data)
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"building and measuring about {size:,} chunks …", file=sys.stderr, flush=True)
        results.append(measure(size, Path(args.work), paragraphs, questions, args.questions, args.served))
        gc.collect()
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    chart(results, out / "scale.png")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
