"""Command line: `assistant ask | ingest | add | web | eval`. Nothing happens at import."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys

from .errors import AssistantError, InvalidQuestion

EXAMPLES = {
    "ask": 'assistant ask "美國商務部何時撤銷AI擴散規則?"\n  assistant ask --json "Who is the Commerce Department undersecretary?"',
    "ingest": "assistant ingest            # embed only what changed\n  assistant ingest --rebuild  # start over",
    "add": "assistant add https://example.org/story.html --id ap-2025-05-14",
    "web": "assistant web --port 7860",
    "eval": "assistant eval --split test --out eval/report\n"
    "  assistant eval --squad ../shared/datasets/xquad/xquad.zh.json --questions-from ../shared/datasets/xquad/xquad.en.json "
    "--sample 300 --out eval/report-squad",
}


def _quiet_network() -> None:
    for key, value in {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}.items():
        os.environ.setdefault(key, value)


def _print_answer(reply) -> None:
    print(reply.text)
    if reply.notice:
        print(f"({reply.notice})")
    if reply.citations:
        print()
        for c in reply.citations:
            print(f"[{c.n}] {_source_line(c)}")
    if reply.nearest:
        print("\n最接近的段落,並非答案 · The closest passages, not an answer:")
        for c in reply.nearest:
            print(f"[{c.n}] {c.quote}\n    {_source_line(c)}")


def _source_line(c) -> str:
    """Where a citation's quote stands: outlet, date, title, file and offsets."""
    return f"{c.outlet} {c.date} 〈{c.title}〉 {c.source}:{c.start}-{c.end}"


def cmd_ask(args) -> int:
    from .core import default_assistant

    bot = default_assistant()
    reply = bot.answer(args.question, mode="extractive" if args.extractive else None)
    if args.json:
        print(json.dumps(reply.to_dict(passages=False), ensure_ascii=False, indent=2))
    else:
        _print_answer(reply)
    return 0


def cmd_ingest(args) -> int:
    from .core import default_assistant

    report = default_assistant().ingest(rebuild=args.rebuild, progress=not args.quiet)
    print(report.summary())
    return 0


def cmd_add(args) -> int:
    from .fetch import add_url
    from .settings import Settings

    path = add_url(args.url, Settings(), doc_id=args.id, force=args.force, allow_private=args.allow_private)
    print(f"saved {path}; run `assistant ingest` to index it")
    return 0


def cmd_web(args) -> int:
    from .web import serve

    return serve(host=args.host, port=args.port, auth=args.auth)


def cmd_eval(args) -> int:
    from .evalrun import run_cli

    return run_cli(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Cited answers from the indexed sources, asked in Chinese or English.")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text, epilog="example:\n  " + EXAMPLES[name],
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        return p

    p = command("ask", cmd_ask, "Answer one question with numbered citations.")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON")
    p.add_argument("--extractive", action="store_true", help="quote the sources even when an LLM is configured")
    p = command("ingest", cmd_ingest, "Index the corpus folder (only what changed).")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p = command("add", cmd_add, "Fetch a web page, extract its text and save it under corpus/.")
    p.add_argument("url")
    p.add_argument("--id", help="manifest id of the reference this page is (e.g. ap-2025-05-14)")
    p.add_argument("--force", action="store_true", help="replace a file or URL saved before")
    p.add_argument("--allow-private", action="store_true", help="allow loopback and private network addresses")
    p = command("web", cmd_web, "Start the web chat.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", default=os.environ.get("ASSISTANT_WEB_AUTH"), help="user:password for basic auth")
    p = command("eval", cmd_eval, "Run the eval question set and write a report.")
    p.add_argument("--questions", default=None, help="JSONL question file (default eval/questions.jsonl)")
    p.add_argument("--split", default="test", choices=["dev", "test", "all"])
    p.add_argument("--out", default="eval/report")
    p.add_argument("--fail-under", default="", help="e.g. accuracy=0.8,abstention=0.8")
    p.add_argument("--no-baselines", action="store_true", help="skip the LangChain and BM25 baselines")
    p.add_argument("--squad", default=None, help="a SQuAD-format JSON file: index its paragraphs and ask its questions")
    p.add_argument("--questions-from", default=None, help="with --squad: ask the questions of this parallel file")
    p.add_argument("--leave-out", type=float, default=0.125, help="with --squad: share of articles left out of the index")
    p.add_argument("--sample", type=int, default=None, help="with --squad: answerable questions to ask (+1/4 left out)")
    p.add_argument("--seed", type=int, default=0, help="with --squad: seed of the leave-out and the sample")
    return parser


def main(argv: list[str] | None = None) -> int:
    _quiet_network()
    logging.basicConfig(level=logging.WARNING, format="assistant: %(message)s")
    for noisy in ("jieba", "bm25s", "httpx", "chromadb"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    args = build_parser().parse_args(argv)
    if args.command in ("ask", "ingest"):
        # A short-lived process that makes millions of objects (index tables, tokenizer dictionaries) and few
        # cycles: the cyclic collector runs a hundredth as often (cold `ask` at 86,610 chunks 3.25 -> 3.0 s).
        gc.set_threshold(100_000, 10, 10)
    try:
        return args.func(args)
    except InvalidQuestion as exc:
        print(f"assistant: {exc}", file=sys.stderr)
        return 2
    except AssistantError as exc:
        print(f"assistant: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("assistant: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
