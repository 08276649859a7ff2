"""Tune the answer step on the public sets (dev data) and on eval/ dev, never on eval/ test.

    python eval/tune_squad.py --sample 300 --grid dense_weight=0.5,1 top_k=5,8
    python eval/tune_squad.py --fit-gate assistant/gate.json   # refit the answer/abstain gate
    python eval/tune_squad.py --frontier --seeds 0,1,3         # compare changes at equal abstention
    python eval/tune_squad.py --frontier --seeds 0,1,2,3,4 --rows rows.jsonl && \
        python eval/tune_squad.py --across rows.jsonl          # refit the gate on all draws but one, score that one

Each public set is indexed once under --work (kept between runs); every setting in the grid is then
asked the same sampled questions. One line per set and setting; eval/ dev last. ``--fit-gate`` collects
the gate's signals on the same questions (answerable, or from an article left out of the index, or an
eval/ dev question without evidence), fits a logistic model (scikit-learn), picks the threshold and
writes the coefficients, a precision/recall table and a chart beside them.

``--frontier`` scores a change without the gate's threshold: a change that only moves the operating point
(answers more and abstains less, or the reverse) looks like a gain on one side and a loss on the other. It
reads the gate's probability for every sampled question over the given leave-out seeds, and prints the
sets' mean "answered and cites the gold paragraph" at the thresholds where their mean left-out abstention
is 0.85, 0.875 and 0.90, and each set's at the threshold that abstains on 0.85 of its own left-out questions.
``--rows FILE`` keeps its per-question rows (set, seed, question, gate signals and probability, cites gold, quotes
the gold answer), one JSON object a line.

``--across FILE…`` asks whether the gate generalises across draws, from such rows with no index: for each seed it
refits the gate on the other seeds' rows (as ``--fit-gate`` does: each set's answerable and left-out questions
weigh alike), takes the threshold where those abstain on --abstain of their left-out questions, and prints each
set's cites gold / left-out abstention on the held-out seed, beside the committed gate's on the same rows.
"""

from __future__ import annotations

import argparse
import itertools
import logging
from pathlib import Path

from assistant import Assistant, Settings
from assistant.evalrun import evaluate
from assistant.evaluate import DEFAULT_QUESTIONS, load_questions
from assistant.squad import build_corpus, sample, score, summarize

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
SETS = {
    "xquad-zh": ("xquad/xquad.zh.json", None),
    "xquad-en": ("xquad/xquad.en.json", None),
    "xquad-en2zh": ("xquad/xquad.zh.json", "xquad/xquad.en.json"),
    "xquad-zh2en": ("xquad/xquad.en.json", "xquad/xquad.zh.json"),
    "drcd": ("drcd/DRCD_dev.json", None),
    "cmrc": ("cmrc2018/cmrc2018_trial.json", None),
}


def grid(specs: list[str]) -> list[dict]:
    axes = []
    for spec in specs:
        name, _, values = spec.partition("=")
        axes.append([(name, float(v) if "." in v else int(v)) for v in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)] or [{}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--work", default="/tmp/assistant-squad")
    parser.add_argument("--seed", type=int, default=0, help="which articles are left out and which questions asked")
    parser.add_argument("--no-dev", action="store_true")
    parser.add_argument("--show-misses", type=int, default=0, help="print this many wrong rows per set")
    parser.add_argument("--grid", nargs="*", default=[])
    parser.add_argument("--fit-gate", default=None, help="write a fitted gate to this JSON file")
    parser.add_argument("--fit-added", nargs="+", default=None, metavar="ROWS",
                        help="fit the weights of signals assistant/gate.json lacks (--added) from --frontier rows")
    parser.add_argument("--added", default="english,english_similarity", help="the signals --fit-added fits")
    parser.add_argument("--abstain", type=float, default=0.85, help="share of unanswerable questions to abstain on")
    parser.add_argument("--chart", default="eval/report/gate.png", help="where --fit-gate draws its curve")
    parser.add_argument("--frontier", action="store_true", help="cites gold at equal abstention (see above)")
    parser.add_argument("--seeds", default="0,1,3", help="leave-out seeds --frontier pools")
    parser.add_argument("--rows", default=None, help="--frontier writes its per-question rows here (JSON lines)")
    parser.add_argument("--across", nargs="+", default=None, help="leave-one-seed-out gate refits from --rows files")
    parser.add_argument("--dev-weight", type=float, default=2.0, help="weight of eval/ dev against one public set")
    args = parser.parse_args()
    logging.getLogger("assistant").setLevel(logging.ERROR)
    if args.fit_gate:
        return fit_gate(args)
    if args.frontier:
        return frontier(args)
    if args.across:
        return across(args)
    if args.fit_added:
        return fit_added(args)
    base = Settings()
    bot0 = Assistant(base)
    for name, indexed, chosen in prepared(args, base, bot0.embeddings):
        for setting in grid(args.grid):
            bot = Assistant(indexed.settings.model_copy(update=setting), embeddings=bot0.embeddings)
            replies = [(item, bot.answer(item.question)) for item in chosen]
            rows = [score(item, reply, bot.analyzer.fold) for item, reply in replies]
            m = summarize(rows)
            print(f"{name:12s} {setting} " + " ".join(f"{k}={m[k]:.2f}" for k in
                  ["cites_gold", "found", "answered", "hit@3", "abstained_left_out", "latency_p50_ms"]), flush=True)
            misses = [(i, r, row) for (i, r), row in zip(replies, rows) if row["answerable"] and not row["found"]]
            for item, reply, row in misses[: args.show_misses]:
                print(f"   Q {item.question} | gold {item.answers[:2]} | abst={reply.abstained} "
                      f"cites_gold={row['cites_gold']}\n     A {reply.text[:160]!r}")
    if not args.no_dev:
        questions = load_questions(DEFAULT_QUESTIONS)
        for setting in grid(args.grid):
            report = evaluate(Assistant(base.model_copy(update=setting), embeddings=bot0.embeddings), questions,
                              split="dev", baselines=False, progress=False)
            m = report["systems"]["assistant"]["all"]
            print(f"{'eval-dev':12s} {setting} " + " ".join(f"{k}={m[k]:.2f}" for k in
                  ["hit@1", "accuracy", "citation_precision", "abstention_recall", "false_abstention"]), flush=True)


def prepared(args, base: Settings, embeddings):
    """(set name, assistant over its corpus, sampled items) for each public set, indexed once per leave-out
    seed (under --work/<set> for seed 0, --work/<set>-s<seed> for another --seed)."""
    for name in args.sets.split(","):
        path, asked = SETS[name]
        root = Path(args.work) / (name if args.seed == 0 else f"{name}-s{args.seed}")
        items = build_corpus(DATA / path, root / "corpus", questions_from=DATA / asked if asked else None,
                             seed=args.seed)
        local = base.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index"})
        bot = Assistant(local, embeddings=embeddings)
        bot.ingest(progress=False)
        yield name, bot, sample(items, args.sample, args.seed)


def signals(bot: Assistant, question: str, history=None) -> dict:
    from assistant.gate import features

    selection, _, _ = bot._select(question, history, bot.analyzer.script(question))  # (selection, retrieval, t)
    return features(selection) if selection.sentences else None


def frontier(args) -> None:
    import json

    import numpy as np

    from assistant.gate import features, load_gate

    gate, base = load_gate(), Settings()
    embeddings = Assistant(base).embeddings
    rows = []  # one per question (see --rows)
    for seed in [int(s) for s in args.seeds.split(",")]:
        for name, bot, chosen in prepared(argparse.Namespace(**{**vars(args), "seed": seed}), base, embeddings):
            for item in chosen:
                language = bot.analyzer.script(item.question)
                selection, found, _ = bot._select(item.question, None, language)
                row = {"set": name, "seed": seed, "question": item.question, "answerable": item.span is not None,
                       "cites": False, "found": False, "p": 0.0, "signals": None}
                if selection.sentences:
                    reply = bot.open().composer.extractive(selection.sentences, language, found.passages)
                    scored = score(item, reply, bot.analyzer.fold) if item.span is not None else {}
                    row.update(cites=bool(scored.get("cites_gold")), found=bool(scored.get("found")),
                               p=1.0 if selection.about_source else gate.confidence(selection),
                               signals=None if selection.about_source else features(selection))
                rows.append(row)
    if args.rows:
        Path(args.rows).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    per_set_at = scorer(rows)
    grid = threshold_grid(per_set_at)
    print(f"committed threshold {gate.threshold:.2f}: " + " ".join(
        f"{n}={c:.3f}/{a:.2f}" for n, (c, a) in per_set_at(gate.threshold).items()))
    for target in (0.85, 0.875, 0.90):
        t, per = at_mean_abstention(grid, target)
        print(f"mean left-out abstention {target}: threshold {t:.3f}, mean cites gold "
              f"{np.mean([c for c, _ in per.values()]):.4f}  " + " ".join(f"{n}={c:.3f}/{a:.2f}" for n, (c, a) in per.items()))
    # each set at its own threshold for 0.85 of its left-out questions: how well the signals separate within a set
    own = {n: next((per[n][0] for _, per in grid if per[n][1] >= 0.85), 0.0) for n in per_set_at(0.5)}
    print("each set at its own 0.85 abstention: " + " ".join(f"{n}={c:.3f}" for n, c in own.items()))


def scorer(rows: list[dict], p=None):
    """threshold -> {set: (cites gold and answered, left-out abstained)} over ``rows``, by their gate probability
    or by ``p`` (one per row)."""
    import numpy as np

    p = np.array([r["p"] for r in rows]) if p is None else p
    names = list(dict.fromkeys(r["set"] for r in rows))
    masks = {n: np.array([r["set"] == n for r in rows]) for n in names}
    answerable = np.array([r["answerable"] for r in rows])
    cites = np.array([r["cites"] for r in rows])

    def at(threshold):
        return {n: (float(np.mean((cites & (p >= threshold))[m & answerable])),
                    float(np.mean((p < threshold)[m & ~answerable]))) for n, m in masks.items()}

    return at


def threshold_grid(at) -> list[tuple[float, dict]]:
    """(threshold, ``at(threshold)``) every 0.005, for reading the figures at a chosen abstention."""
    import numpy as np

    return [(t, at(t)) for t in np.arange(0.05, 0.95, 0.005)]


def at_mean_abstention(grid, target):
    """The first (threshold, per-set figures) of ``grid`` whose sets abstain on ``target`` of left-out questions on
    average."""
    import numpy as np

    return next(((t, per) for t, per in grid if np.mean([a for _, a in per.values()]) >= target), grid[-1])


def threshold_free(at, target) -> float:
    """Mean cites gold over the sets, at the first threshold where their mean left-out abstention reaches ``target``
    (``at``: a ``scorer``)."""
    import numpy as np

    return float(np.mean([c for c, _ in at_mean_abstention(threshold_grid(at), target)[1].values()]))


def gate_chart(gate: dict, path: Path) -> None:
    """The gate's trade-off: answerable questions answered against unanswerable ones abstained on."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [c["threshold"] for c in gate["curve"]]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(t, [c["answered"] for c in gate["curve"]], label="answerable: answered (recall)")
    ax.plot(t, [c["abstained"] for c in gate["curve"]], label="unanswerable: abstained")
    ax.axvline(gate["threshold"], color="grey", linestyle="--", label=f"threshold {gate['threshold']:.2f}")
    ax.set_xlabel("gate probability threshold")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title("answer/abstain gate on dev data (public sets + eval/ dev)", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def neutral_values(signals: list[dict]) -> dict[str, float]:
    """A signal not observed (None: concentration over a single document, as in eval/ dev) reads its mean over the
    questions where it is, in the fit and in use (the gate's "neutral"), so it moves nothing there."""
    import numpy as np

    from assistant.gate import FEATURES

    return {k: float(np.mean([f[k] for f in signals if f[k] is not None]))
            for k in FEATURES if any(f[k] is None for f in signals)}


def signal_matrix(signals: list[dict], neutral: dict[str, float]):
    import numpy as np

    from assistant.gate import FEATURES

    return np.array([[neutral[k] if f[k] is None else f[k] for k in FEATURES] for f in signals])


def fit(x, y, sets: list[str], weights: dict[str, float]):
    """The logistic gate and its sample weights. Each source of questions counts alike, and those in ``weights``
    as many times as it says (eval/ dev, the product's own readers, --dev-weight times: with the concentration
    signal, which a one-document corpus lacks, weight 1 moved the article's operating point, eval/ dev abstention
    recall 0.72 -> 0.67; 2 keeps it, within half a point of weight 1 on the public sets' --frontier); within a
    source, answerable and unanswerable questions count alike."""
    from collections import Counter

    import numpy as np
    from sklearn.linear_model import LogisticRegression

    per_class = Counter(zip(sets, y))
    weight = np.array([weights.get(s, 1.0) / per_class[(s, a)] for s, a in zip(sets, y)])
    weight *= len(weight) / weight.sum()  # mean 1, so the regularisation means what it does unweighted
    return LogisticRegression(C=1.0, max_iter=1000).fit(x, y, sample_weight=weight), weight


def trade_off(p, y, weight) -> list[tuple[float, float, float]]:
    """(threshold, answerable questions answered, unanswerable ones abstained on), weighted, every 0.01."""
    import numpy as np

    curve = []
    for threshold in np.arange(0.05, 0.96, 0.01):
        answered = p >= threshold
        curve.append((round(float(threshold), 2), float(np.average(answered[y], weights=weight[y])),
                      float(np.average(~answered[~y], weights=weight[~y]))))
    return curve


def operating_point(curve, abstain: float) -> tuple[float, float, float]:
    """The lowest threshold of ``trade_off``'s curve that abstains on ``abstain`` of the unanswerable questions: it
    answers as much as possible while doing so."""
    return next((c for c in curve if c[2] >= abstain), curve[-1])


def across(args) -> None:
    """Leave-one-seed-out refits of the gate from --rows files (see the module's docstring)."""
    import json

    import numpy as np

    from assistant.gate import load_gate

    rows = [json.loads(line) for path in args.across for line in Path(path).read_text(encoding="utf-8").splitlines()]
    seeds = sorted({r["seed"] for r in rows})
    if len(seeds) < 2:
        raise SystemExit(f"--across needs rows of two leave-out seeds or more (these have {seeds}): "
                         "--frontier --seeds 0,1,2,3,4 --rows FILE")
    usable = [r for r in rows if r["signals"] is not None]
    neutral = neutral_values([r["signals"] for r in usable])
    committed = load_gate().threshold
    means = {"refit": [], "committed": []}
    for held in seeds:
        train = [r for r in usable if r["seed"] != held]
        x, y = signal_matrix([r["signals"] for r in train], neutral), np.array([r["answerable"] for r in train])
        model, weight = fit(x, y, [r["set"] for r in train], {})
        threshold = operating_point(trade_off(model.predict_proba(x)[:, 1], y, weight), args.abstain)[0]
        test = [r for r in rows if r["seed"] == held]
        # a row without signals keeps its probability: 0 with no sentence to quote, 1 for a question about the source
        p = np.array([r["p"] for r in test])
        read = [i for i, r in enumerate(test) if r["signals"] is not None]
        p[read] = model.predict_proba(signal_matrix([test[i]["signals"] for i in read], neutral))[:, 1]
        for label, at, t in (("refit", scorer(test, p), threshold), ("committed", scorer(test), committed)):
            per = at(t)
            free = threshold_free(at, args.abstain)
            means[label].append((np.mean([c for c, _ in per.values()]), np.mean([a for _, a in per.values()]), free))
            print(f"seed {held} {label:9s} threshold {t:.2f}: " + " ".join(f"{n}={c:.3f}/{a:.2f}" for n, (c, a) in
                  per.items()) + f"  | mean cites gold at mean abstention {args.abstain}: {free:.4f}")
    for label, m in means.items():
        c, a, free = np.mean(m, axis=0)
        print(f"{label:9s} mean over held-out seeds: cites gold {c:.4f}, left-out abstention {a:.4f}, "
              f"threshold-free {free:.4f}")


def fit_added(args) -> None:
    """Weights for signals added since the gate was fitted (--added), the gate's own weights held as they are: a
    logistic fit of the new weights alone, with the committed gate's log-odds as each row's offset, over the rows
    (``--frontier --rows``) where one of them is read; answerable and left-out rows weigh alike. Prints each seed
    scored by a fit on the others, then writes the fit on all of them into assistant/gate.json. A refit of the whole
    gate on today's rows scored below the committed gate on draws it had not seen (eval/HISTORY.md): adding to it
    leaves every question without the new signals as it was."""
    import json

    from dataclasses import replace

    import numpy as np
    from scipy.optimize import minimize

    from assistant.gate import GATE_FILE, load_gate

    gate, added = load_gate(), args.added.split(",")
    rows = [json.loads(line) for path in args.fit_added for line in Path(path).read_text(encoding="utf-8").splitlines()]
    known = replace(gate, weights={k: v for k, v in gate.weights.items() if k not in added})

    def fit(train):
        x = np.array([[r["signals"][k] for k in added] for r in train])
        offset = np.array([known.log_odds(r["signals"]) for r in train])
        y = np.array([r["answerable"] for r in train], dtype=float)
        weight = np.where(y == 1, 0.5 / y.sum(), 0.5 / (1 - y).sum()) * len(y)

        def loss(b):  # class-balanced logistic loss, and sklearn's default L2 penalty (C = 1)
            z = offset + x @ b
            return float(np.sum(weight * (np.logaddexp(0, z) - y * z)) + 0.5 * b @ b)

        return dict(zip(added, minimize(loss, np.zeros(len(added))).x.tolist()))

    def probabilities(test, weights):
        model = replace(known, weights={**known.weights, **weights})
        return np.array([r["p"] if r["signals"] is None else model.probability(r["signals"]) for r in test])

    usable = [r for r in rows if r["signals"] is not None and any(r["signals"].get(k) for k in added)]
    for held in sorted({r["seed"] for r in rows}):
        weights = fit([r for r in usable if r["seed"] != held])
        test = [r for r in rows if r["seed"] == held]
        for label, at in (("with", scorer(test, probabilities(test, weights))),
                          ("without", scorer(test, probabilities(test, {})))):
            free = threshold_free(at, args.abstain)
            print(f"seed {held} {label:7s} threshold {gate.threshold:.2f}: " + " ".join(
                f"{n}={c:.3f}/{a:.2f}" for n, (c, a) in at(gate.threshold).items()) + f"  | threshold-free {free:.4f}")
    weights = fit(usable)
    data = json.loads(GATE_FILE.read_text(encoding="utf-8"))
    data["weights"].update(weights)
    data["features"] = list(dict.fromkeys(data["features"] + added))
    data["added"] = {"signals": added, "rows": len(usable), "sets": sorted({r["set"] for r in usable}),
                     "seeds": sorted({r["seed"] for r in usable})}
    GATE_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"{len(usable)} rows read {added}: weights {weights}, written to {GATE_FILE}")


def fit_gate(args) -> None:
    import json

    import numpy as np

    from assistant.gate import FEATURES

    base = Settings()
    embeddings = Assistant(base).embeddings
    rows = []  # (set, features, answerable)
    for name, bot, chosen in prepared(args, base, embeddings):
        rows += [(name, signals(bot, item.question), item.span is not None) for item in chosen]
    bot = Assistant(base, embeddings=embeddings)
    questions = [q for q in load_questions(DEFAULT_QUESTIONS) if q.split == "dev"]
    texts = {q.id: q.question for q in questions}
    rows += [("eval-dev", signals(bot, q.question, [texts[q.follows]] if q.follows in texts else None), q.answerable)
             for q in questions]
    Path(args.work, "gate-rows.json").write_text(json.dumps(rows), encoding="utf-8")
    usable = [r for r in rows if r[1] is not None]  # no sentence at all: abstain whatever the gate says
    neutral = neutral_values([f for _, f, _ in usable])
    x = signal_matrix([f for _, f, _ in usable], neutral)
    y = np.array([a for _, _, a in usable])
    sets = [s for s, _, _ in usable]
    per_set = {s: sets.count(s) for s in set(sets)}
    model, weight = fit(x, y, sets, {"eval-dev": args.dev_weight})
    p = model.predict_proba(x)[:, 1]
    curve = trade_off(p, y, weight)
    best = operating_point(curve, args.abstain)
    gate = {"features": list(FEATURES), "weights": dict(zip(FEATURES, map(float, model.coef_[0]))),
            "bias": float(model.intercept_[0]), "threshold": best[0], "model": base.model_label, "neutral": neutral,
            "fitted_on": {s: per_set[s] for s in sorted(per_set)},
            "curve": [{"threshold": t, "answered": r, "abstained": a} for t, r, a in curve]}
    Path(args.fit_gate).write_text(json.dumps(gate, indent=2) + "\n", encoding="utf-8")
    gate_chart(gate, Path(args.chart))
    for t, r, a in curve[::5]:
        print(f"threshold {t:.2f}: answerable answered {r:.2f}, unanswerable abstained {a:.2f}" +
              ("   <- chosen" if t == best[0] else ""))
    print(json.dumps(gate["weights"]), gate["bias"])
    chosen = p >= best[0]
    for name in sorted(per_set):
        mask = np.array([s == name for s in sets])
        print(f"{name:12s} answered {chosen[mask & y].mean() if (mask & y).any() else float('nan'):.2f}  "
              f"abstained {(~chosen[mask & ~y]).mean() if (mask & ~y).any() else float('nan'):.2f}")


if __name__ == "__main__":
    main()
