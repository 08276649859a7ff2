"""`assistant eval`: run systems over the question set, print a table, write report.json/.md and a chart."""

from __future__ import annotations

import json
from pathlib import Path

from .documents import load_manifest, metadata
from .evaluate import DEFAULT_QUESTIONS, EvalError, Question, by_language, gold_spans, load_questions, score

HEADLINE = ["hit@1", "hit@3", "mrr", "accuracy", "citation_precision", "citation_recall",
            "abstention_precision", "abstention_recall", "false_abstention", "abstained_nearest_gold",
            "supported_sentence_rate",
            "latency_p50_ms", "latency_p95_ms"]


def run_system(system, questions: list[Question], *, corpus_dir: Path, progress: bool = True,
               label: str = "") -> list[dict]:
    """Ask ``system`` every question (follow-ups with their first question as history) and score it."""
    return [row for _, _, row in ask_all(system, questions, corpus_dir=corpus_dir, progress=progress, label=label)]


def ask_all(system, questions: list[Question], *, corpus_dir: Path, progress: bool = False, label: str = ""):
    """(question, answer, scored row) for each question, follow-ups asked with their first question as history."""
    from tqdm import tqdm

    texts = {q.id: q.question for q in questions}
    manifest = load_manifest(corpus_dir)
    sources: dict[str, tuple[str, str | None]] = {}
    for q in tqdm(questions, desc=f"eval {label}", unit="q", disable=not progress):
        if q.source not in sources:
            sources[q.source] = _gold_source(q.source, corpus_dir, manifest)
        text, doc_id = sources[q.source]
        history = [texts[q.follows]] if q.follows in texts else None
        reply = system.answer(q.question, history=history)
        yield q, reply, score(q, reply, gold_spans(q, text), doc_id)


def _gold_source(source: str, corpus_dir: Path, manifest: dict) -> tuple[str, str]:
    """A gold source's text and the doc_id the index gives it. ``source`` is "corpus/<file>": <file> in the
    configured corpus folder (wherever that is), named by the same rule ingest uses."""
    inside = Path(source).relative_to("corpus") if Path(source).parts[:1] == ("corpus",) else Path(source)
    path = corpus_dir / inside
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise EvalError(f"gold source {source} is not in the corpus folder {corpus_dir} ({exc})") from exc
    return text, metadata(path, corpus_dir, manifest)["id"]


def parse_floors(spec: str) -> dict[str, float]:
    floors = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        try:
            floors[name.strip()] = float(value)
        except ValueError as exc:
            raise EvalError(f"--fail-under wants name=number pairs, got {part!r}") from exc
    return floors


ALIASES = {"abstention": "abstention_recall", "citation": "citation_precision", "hit1": "hit@1"}


def check_floors(metrics: dict, floors: dict[str, float], known: list[str] = HEADLINE) -> list[str]:
    failures = []
    for name, floor in floors.items():
        key = ALIASES.get(name, name)
        if key not in metrics:
            raise EvalError(f"unknown metric {name!r} in --fail-under; known: {', '.join(known)}")
        value = metrics[key]
        if value is None or value < floor:
            failures.append(f"{key} = {value} < {floor}")
    return failures


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if value > 1.5 else f"{value:.2f}"


def table(report: dict) -> str:
    """Markdown table: one row per system and language group."""
    lines = ["| system | group | n | " + " | ".join(HEADLINE) + " |", "|---" * (len(HEADLINE) + 3) + "|"]
    for system, groups in report["systems"].items():
        for group, m in groups.items():
            lines.append(f"| {system} | {group} | {m['questions']} | " + " | ".join(_fmt(m[k]) for k in HEADLINE) + " |")
    return "\n".join(lines)


def ratios(report: dict) -> str:
    ours = report["systems"]["assistant"]["all"]
    lines = ["| metric | assistant | " + " | ".join(f"÷ {b}" for b in report["systems"] if b != "assistant") + " |",
             "|---" * (len(report["systems"]) + 1) + "|"]
    for key in ["hit@1", "hit@3", "mrr", "accuracy", "citation_precision", "citation_recall"]:
        cells = []
        for name, groups in report["systems"].items():
            if name != "assistant":
                base = groups["all"][key]
                cells.append(f"{ours[key] / base:.2f}×" if base and ours[key] is not None else "–")
        lines.append(f"| {key} | {_fmt(ours[key])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def chart(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["hit@1", "hit@3", "accuracy", "citation_precision", "citation_recall", "abstention_recall"]
    groups = [g for g in report["systems"]["assistant"] if g != "all"] + ["all"]
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 4), sharey=True)
    width = 0.8 / len(report["systems"])
    for ax, group in zip(axes, groups):
        for i, (name, data) in enumerate(report["systems"].items()):
            values = [data[group][m] or 0 for m in metrics]
            ax.bar([x + i * width for x in range(len(metrics))], values, width, label=name)
        ax.set_title(group)
        ax.set_xticks([x + width for x in range(len(metrics))], metrics, rotation=45, ha="right", fontsize=8)
        ax.set_ylim(0, 1.05)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", ncol=len(labels), fontsize=9)
    fig.suptitle(f"split: {report['split']}", x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    md = [f"# Eval report ({report['split']} split, {report['questions']} questions)", "", table(report), "",
          "## Ratios to the baselines (all languages)", "", ratios(report), "", "![chart](chart.png)", ""]
    (out / "report.md").write_text("\n".join(md), encoding="utf-8")
    chart(report, out / "chart.png")


def build_systems(assistant, with_baselines: bool) -> list:
    systems = [("assistant", assistant)]
    if with_baselines:
        from .baselines import NaiveLangChain, PlainBM25
        from .documents import load_documents

        docs, _ = load_documents(assistant.settings.corpus_dir)
        systems.append(("langchain-naive", NaiveLangChain(docs, assistant.embeddings, assistant.settings.chunk_size)))
        systems.append(("bm25", PlainBM25(docs, assistant.settings.chunk_size)))
    return systems


def evaluate(assistant, questions: list[Question], *, split: str, baselines: bool = True, progress: bool = True) -> dict:
    chosen = [q for q in questions if split == "all" or q.split == split]
    if not chosen:
        raise EvalError(f"no questions in split {split!r}")
    report = {"split": split, "questions": len(chosen), "settings": json.loads(assistant.settings.model_dump_json()),
              "systems": {}, "rows": {}}
    for name, system in build_systems(assistant, baselines):
        rows = run_system(system, chosen, corpus_dir=assistant.settings.corpus_dir, progress=progress, label=name)
        report["systems"][name] = by_language(rows)
        report["rows"][name] = rows
    return report


def run_squad(args) -> dict:
    from .core import default_assistant
    from .squad import evaluate_squad, table

    bot = default_assistant()
    report = evaluate_squad(Path(args.squad), settings=bot.settings, embeddings=bot.embeddings,
                            questions_from=Path(args.questions_from) if args.questions_from else None,
                            leave_out=args.leave_out, n=args.sample, seed=args.seed, baselines=not args.no_baselines)
    print(table(report))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.md").write_text(f"# SQuAD-format eval: {args.squad}\n\n{table(report)}\n", encoding="utf-8")
    print(f"\nreport written to {out}/report.md, report.json")
    return report["systems"]["assistant"]


def run_cli(args) -> int:
    from .core import default_assistant

    floors = parse_floors(args.fail_under)
    if args.squad:
        metrics = run_squad(args)
        failures = check_floors(metrics, floors, known=list(metrics))
        for failure in failures:
            print(f"below floor: {failure}")
        return 1 if failures else 0
    questions = load_questions(Path(args.questions) if args.questions else DEFAULT_QUESTIONS)
    report = evaluate(default_assistant(), questions, split=args.split, baselines=not args.no_baselines)
    print(table(report))
    write_report(report, Path(args.out))
    print(f"\nreport written to {args.out}/report.md, report.json, chart.png")
    failures = check_floors(report["systems"]["assistant"]["all"], floors)
    for failure in failures:
        print(f"below floor: {failure}")
    return 1 if failures else 0
