"""Speed and retrieval benchmark; its numbers go in the README (not in timed tests).

    python eval/benchmark.py            # core: answer() latency, CLI cold start, ingest, hit rates; the English
                                        # check's cost over English sources
    python eval/benchmark.py --web      # also the web app over HTTP (see assistant web)
    python eval/benchmark.py --llm 0.5b,1.5b   # generated answers from real small models (eval/localllm.py)
    python eval/benchmark.py --scale [--sizes 1000,10000,100000 --served …]   # eval/scale.py, its options after

Medians and ratios come from one run on one machine; rerun to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from assistant import Assistant, Settings
from assistant.evalrun import build_systems, run_system
from assistant.evaluate import DEFAULT_QUESTIONS, load_questions, percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.servers, tests.replies: how this project starts servers and replays replies


def timed_cli(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def core(index_dir: Path, repeats: int) -> dict:
    questions = load_questions(DEFAULT_QUESTIONS)
    bot = Assistant(Settings(index_dir=index_dir))
    bot.embeddings.embed_query("warm up")  # time the ingest, not the model load
    started = time.perf_counter()
    report = bot.ingest(progress=False)
    ingest_s = time.perf_counter() - started
    for q in questions[:5]:  # warm up: model, jieba, OpenCC
        bot.answer(q.question)
    times = []
    for _ in range(repeats):
        for q in questions:
            t = time.perf_counter()
            bot.answer(q.question)
            times.append((time.perf_counter() - t) * 1e3)
    env = dict(os.environ, ASSISTANT_INDEX_DIR=str(index_dir))
    cold = [timed_cli(["ask", questions[0].question], env) for _ in range(3)]
    reingest = [timed_cli(["ingest", "--quiet"], env) for _ in range(3)]
    startup = [timed_cli(["--help"], env) for _ in range(3)]
    hits = {}
    for name, system in build_systems(bot, True)[:2]:
        rows = [r for r in run_system(system, questions, corpus_dir=bot.settings.corpus_dir, progress=False) if r["answerable"]]
        hits[name] = {"hit@1": statistics.mean(r["hit1"] for r in rows), "hit@3": statistics.mean(r["hit3"] for r in rows)}
    return {
        "questions": len(questions), "repeats": repeats,
        "answer_p50_ms": statistics.median(times), "answer_p95_ms": percentile(times, 95),
        "cli_ask_cold_s": statistics.median(cold), "cli_startup_s": statistics.median(startup),
        "ingest_first_s": ingest_s, "ingest_chunks": report.chunks, "ingest_chunks_per_s": report.chunks / ingest_s,
        "reingest_unchanged_s": statistics.median(reingest), "retrieval": hits,
    }


def english_sources(work: Path) -> dict:
    """What the English check costs where it runs: a cold `assistant ask` in English over English sources (the article
    beside the tests' stand-in reports), its time and peak resident memory, with the check (torch loads) and
    without it (ASSISTANT_ENGLISH_CHECK=false)."""
    corpus = work / "corpus-en"
    shutil.copytree(ROOT / "corpus", corpus)
    for report in (ROOT / "tests" / "fixtures" / "stand-in-reports").glob("*.txt"):
        shutil.copy(report, corpus / report.name)
    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(corpus), ASSISTANT_INDEX_DIR=str(work / "index-en"))
    timed_cli(["ingest", "--quiet"], env)
    question = "What did the European Commission spokesperson say?"
    peak = f"import resource; from assistant import answer; answer({question!r}); " \
           "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = {}
    for check in ("true", "false"):
        runs = dict(env, ASSISTANT_ENGLISH_CHECK=check)
        out[f"check_{check}"] = {
            "cli_ask_cold_s": statistics.median(timed_cli(["ask", question], runs) for _ in range(3)),
            "peak_rss_mb": int(subprocess.run([sys.executable, "-c", peak], env=runs, check=True, capture_output=True,
                                              text=True).stdout.split()[-1]) / 1024}
    return out


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def web(index_dir: Path, sequential: int = 50, clients: int = 20, per_client: int = 5, *,
        questions: list[str] | None = None, corpus_dir: Path | None = None, distinct: bool = False) -> dict:
    """Wall time of one question over HTTP, one at a time (through `gradio_client` and as a plain JSON POST to
    /gradio_api/run/ask), then ``clients`` plain HTTP clients asking ``per_client`` questions each at once;
    failed or empty replies are counted; the app's RSS after. ``questions`` default to eval/'s, reused across
    the three runs; ``distinct``: every question asked once (enough of them must be given)."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx
    from gradio_client import Client

    from tests.servers import free_port, running

    questions = questions or [q.question for q in load_questions(DEFAULT_QUESTIONS)]
    port = free_port()
    env = dict(os.environ, ASSISTANT_INDEX_DIR=str(index_dir), GRADIO_ANALYTICS_ENABLED="False")
    if corpus_dir is not None:
        env["ASSISTANT_CORPUS_DIR"] = str(corpus_dir)

    def question(run: int, i: int) -> str:
        """The i-th question of run 0, 1 or 2 (gradio_client, plain POST, concurrent clients)."""
        return questions[(run * sequential + i if distinct else i) % len(questions)]
    url = f"http://127.0.0.1:{port}"

    def timed(ask, question) -> tuple[float, str]:
        started = time.perf_counter()
        try:
            problem = "" if ask(question) else "empty reply"
        except Exception as exc:  # counted: the run is about whether any are lost
            problem = f"{type(exc).__name__}: {exc}"
        return (time.perf_counter() - started) * 1e3, problem

    def post(session: httpx.Client):
        return lambda question: session.post(f"{url}/gradio_api/run/ask", json={"data": [question]},
                                             timeout=120).raise_for_status().json()["data"][0]["text"]

    with running([sys.executable, "-m", "assistant", "web", "--port", str(port)], url, name="the web app",
                 env=env) as proc:
        client = Client(url, verbose=False)
        via_client = [timed(lambda q: client.predict(q, api_name="/ask")["text"], question(0, i))
                      for i in range(sequential)]
        with httpx.Client() as session:
            plain = [timed(post(session), question(1, i)) for i in range(sequential)]

        def worker(offset: int) -> list[tuple[float, str]]:
            start = offset * per_client if distinct else offset
            with httpx.Client() as session:
                return [timed(post(session), question(2, start + i)) for i in range(per_client)]

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            concurrent = [r for results in pool.map(worker, range(clients)) for r in results]
        concurrent_wall_s = time.perf_counter() - started
        failures = [problem for _, problem in via_client + plain + concurrent if problem]

        def ms(rows, pct):
            values = [t for t, _ in rows]
            return statistics.median(values) if pct == 50 else percentile(values, pct)

        return {"gradio_client_p50_ms": ms(via_client, 50), "gradio_client_p95_ms": ms(via_client, 95),
                "http_p50_ms": ms(plain, 50), "http_p95_ms": ms(plain, 95),
                "concurrent_clients": clients, "questions_per_client": per_client,
                "concurrent_p50_ms": ms(concurrent, 50), "concurrent_p95_ms": ms(concurrent, 95),
                "concurrent_wall_s": concurrent_wall_s, "failed": len(failures), "failures": sorted(set(failures))[:5],
                "questions_answered": len(via_client) + len(plain) + len(concurrent) - len(failures),
                "rss_mb_after": _rss_mb(proc.pid)}


@contextmanager
def replaying(path: Path):
    """The scripted server answering from recorded replies: the /v1 URL."""
    from tests.fake_llm import ScriptedLLM
    from tests.replies import Replayer, load

    server = ScriptedLLM().start()
    server.responder = Replayer(load(path))
    try:
        yield server.url
    finally:
        server.stop()


def public_rows(settings, embeddings, name: str, n: int, work: Path) -> list[dict]:
    """A public set's sampled questions (1/8 of articles left out) through ``settings``' answer path; each row says
    whether the gold answer is in the shown text and how the answer was made."""
    from tune_squad import DATA, SETS

    from assistant.evaluate import route
    from assistant.squad import build_corpus, sample, score

    corpus_file, questions_from = SETS[name]
    items = build_corpus(DATA / corpus_file, work / name / "corpus",
                         questions_from=DATA / questions_from if questions_from else None)
    local = settings.model_copy(update={"corpus_dir": work / name / "corpus", "index_dir": work / name / "index"})
    bot = Assistant(local, embeddings=embeddings)
    bot.ingest(progress=False)
    rows = []
    for item in sample(items, n):
        reply = bot.answer(item.question)
        row = score(item, reply, bot.analyzer.fold)
        text = bot.analyzer.fold(reply.text).lower()
        row.update(route=route(reply), generated=reply.sentences_generated, supported=reply.sentences_supported,
                   in_text=row["answerable"] and not reply.abstained
                   and any(bot.analyzer.fold(a).lower() in text for a in item.answers),
                   text=reply.text)
        row["wrong_generated"] = row["route"] == "generated" and not row["in_text"]
        rows.append(row)
    return rows


def summarize_public(rows: list[dict]) -> dict:
    from assistant.squad import summarize

    summary = summarize(rows)
    answerable = [r for r in rows if r["answerable"]]
    generated = sum(r["generated"] for r in rows)
    summary.update(
        answer_in_text=sum(r["in_text"] for r in answerable) / len(answerable),
        supported_sentence_rate=sum(r["supported"] for r in rows) / generated if generated else None,
        routes={k: sum(r["route"] == k for r in rows) for k in ("generated", "fell-back", "extractive", "abstained")},
        wrong_generated=sum(r["wrong_generated"] for r in rows))
    return summary


def llm(names: list[str], index_dir: Path, fixtures: Path, out: Path, replay: bool = False,
        public: list[str] = (), public_sample: int = 40) -> dict:
    """The test split answered by the extractive path and by each real model on loopback; every model call is
    recorded into ``fixtures`` (the tests replay them through the scripted server). With ``replay``, the
    recorded replies are played back instead of asking the models (no download, seconds instead of minutes)."""
    public = () if replay else public  # nothing was recorded for them
    from localllm import MODELS, fetch, serve
    from tests.replies import Recorder

    from assistant.evaluate import aggregate
    from assistant.verify import MARKER, in_language

    questions = [q for q in load_questions(DEFAULT_QUESTIONS) if q.split == "test"]
    base = Assistant(Settings(index_dir=index_dir))
    base.ingest(progress=False)
    corpus = base.settings.corpus_dir
    rows = {"extractive": run_system(base, questions, corpus_dir=corpus, label="extractive")}
    for name in names:
        fixture = fixtures / f"replies-{name}.jsonl"
        with replaying(fixture) if replay else serve(fetch(name)) as url:
            settings = base.settings.model_copy(update={"llm_base_url": url, "llm_model": name})
            bot = Assistant(settings, embeddings=base.embeddings)
            recorder = Recorder(bot.generator)
            bot.generator = recorder
            rows[name] = run_system(bot, questions, corpus_dir=corpus, label=name)
            for set_name in public:
                for system, answer_settings in (("extractive", base.settings), (name, settings)):
                    key = f"{set_name} {system}"
                    if key not in rows:
                        rows[key] = public_rows(answer_settings, base.embeddings, set_name, public_sample,
                                                Path(tempfile.gettempdir()) / "assistant-llm-public")
        if not replay:
            recorder.save(fixture, MODELS[name].label)
    languages = {q.id: q.lang for q in questions}
    results = {}
    for system, group in rows.items():
        if " " in system:  # a public set
            results[system] = summarize_public(group)
            continue
        m = aggregate(group)
        wrong_language = sum(r["route"] == "generated" and in_language(MARKER.sub("", r["text"]), languages[r["id"]],
                                                                       lambda text, _: None) is None for r in group)
        results[system] = {k: m[k] for k in ("questions", "accuracy", "citation_precision", "abstention_recall",
                                             "supported_sentence_rate", "routes", "wrong_generated",
                                             "latency_p50_ms", "latency_p95_ms")}
        results[system]["wrong_language"] = wrong_language
    out.mkdir(parents=True, exist_ok=True)
    (out / "llm.json").write_text(json.dumps({"results": results, "rows": rows}, ensure_ascii=False, indent=1))
    return results


def main() -> None:
    if "--scale" in sys.argv[1:]:  # the scale benchmark keeps its own options (python eval/scale.py --help)
        import scale

        sys.argv = [str(Path(scale.__file__))] + [a for a in sys.argv[1:] if a != "--scale"]
        return scale.main()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--web", action="store_true", help="also measure the web app over HTTP")
    parser.add_argument("--clients", type=int, default=20, help="with --web: concurrent clients")
    parser.add_argument("--per-client", type=int, default=5, help="with --web: questions each client asks")
    parser.add_argument("--llm", metavar="MODELS", help="only the generated path with these real models (0.5b,1.5b)")
    parser.add_argument("--fixtures", type=Path, default=ROOT / "tests" / "fixtures",
                        help="where --llm records the models' replies")
    parser.add_argument("--public", default="xquad-zh,xquad-en",
                        help="with --llm: public sets also asked through each model (eval/tune_squad.py names; '' for none)")
    parser.add_argument("--public-sample", type=int, default=40, help="with --llm: answerable questions per public set")
    parser.add_argument("--replay", action="store_true", help="with --llm: play back the recorded replies")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "report-llm", help="where --llm writes llm.json")
    args = parser.parse_args()
    if args.llm:
        with tempfile.TemporaryDirectory() as tmp:
            results = llm(args.llm.split(","), Path(tmp) / "index", args.fixtures, args.out, args.replay,
                          [s for s in args.public.split(",") if s], args.public_sample)
        print(json.dumps(results, indent=2))
        return
    with tempfile.TemporaryDirectory() as tmp:
        results = {"core": core(Path(tmp) / "index", args.repeats), "english_sources": english_sources(Path(tmp))}
        if args.web:
            results["web"] = web(Path(tmp) / "index", clients=args.clients, per_client=args.per_client)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
