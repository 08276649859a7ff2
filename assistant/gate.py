"""Gate: answer or abstain. A logistic model over the selection's signals, fitted on dev data (public
reading-comprehension sets with articles left out of the index, and the eval/ dev split) by
``python eval/tune_squad.py --fit-gate assistant/gate.json``; its coefficients are data in ``gate.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .extractive import Selection
from .settings import Settings

GATE_FILE = Path(__file__).resolve().parent / "gate.json"
# Below the threshold but at least this likely to answer: the chosen sentences are shown beside the abstention as the
# nearest passages, for the reader to judge (a paraphrase the gate doubts often has its answer there)
NEAREST_CONFIDENCE = 0.1
FEATURES = ("coverage", "first_coverage", "passage_coverage", "absent", "similarity", "cross", "cross_similarity",
            "cross_coverage", "agreement", "typed_hit", "typed_miss", "concentration", "english", "english_similarity")


def features(selection: Selection) -> dict[str, float | None]:
    """The signals the gate weighs, one number each (None: not observed, see ``Gate.neutral``)."""
    similarity = selection.similarity or 0.0
    cross = float(selection.cross)
    return {"coverage": selection.coverage, "first_coverage": selection.first_coverage,
            "passage_coverage": selection.passage_coverage, "absent": selection.absent, "similarity": similarity,
            "cross": cross, "cross_similarity": cross * similarity, "cross_coverage": cross * selection.coverage,
            "agreement": selection.agreement, "concentration": selection.concentration,
            # asked for a date/number/name and a chosen sentence holds one, or none does: two signals of
            # different strength (one linear feature made them mirror each other)
            "typed_hit": float(selection.typed > 0), "typed_miss": float(selection.typed < 0),
            # question and answer both English, and how alike all-MiniLM-L6-v2 finds them (0 where it was not read)
            "english": float(selection.english_similarity is not None),
            "english_similarity": selection.english_similarity or 0.0}


@dataclass(frozen=True)
class Gate:
    weights: dict[str, float]
    bias: float
    threshold: float
    model: str  # the embedding model whose cosines it was fitted on; with another model it does not apply
    # what a signal reads when it is not observed (concentration over a single document): its mean in the fit
    neutral: dict[str, float] = field(default_factory=dict)

    def confidence(self, selection: Selection) -> float:
        """The fitted probability that the chosen sentences answer the question."""
        return self.probability(features(selection))

    def probability(self, signals: dict[str, float | None]) -> float:
        """The model's probability over ``features``' signals."""
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.log_odds(signals)))))

    def log_odds(self, signals: dict[str, float | None]) -> float:
        """The model's log-odds over ``features``' signals (a signal it has no weight for counts nothing)."""
        return self.bias + sum(self.weights.get(name, 0.0) * (self.neutral.get(name, 0.0) if value is None else value)
                               for name, value in signals.items())


def fitted_for(settings: Settings) -> Gate | None:
    """The fitted gate if it was fitted on the configured encoder's cosines; else None (another encoder's cosines
    mean something else, and the coverage thresholds decide)."""
    gate = load_gate()
    return gate if gate is not None and gate.model == settings.model_label else None


@cache
def load_gate(path: Path = GATE_FILE) -> Gate | None:
    """The fitted gate, or None when there is none (the coverage thresholds decide then)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Gate(dict(data["weights"]), float(data["bias"]), float(data["threshold"]), str(data["model"]),
                {k: float(v) for k, v in data.get("neutral", {}).items()})


@dataclass(frozen=True)
class Verdict:
    """Answer from the chosen sentences, or abstain; either way, why."""

    supported: bool
    reason: str
    near: bool = False  # unsupported, but close enough that the chosen sentences are shown as the nearest ones


def decide(selection: Selection, settings: Settings) -> Verdict:
    """The fitted model over the selection's signals, or the coverage thresholds when there is no gate
    fitted for the configured encoder."""
    if not selection.sentences:
        return Verdict(False, "no sentence of the retrieved passages matches the question")
    if selection.about_source:  # the byline or reference list: the source's own metadata says so
        return Verdict(True, "a question about the source, answered from its byline or reference list")
    gate = fitted_for(settings)
    if gate is None or selection.similarity is None:
        supported = selection.coverage >= settings.min_coverage and selection.absent <= settings.max_absent
        return Verdict(supported, f"coverage {selection.coverage:.2f} (at least {settings.min_coverage}), words no "
                                  f"source holds {selection.absent:.2f} (at most {settings.max_absent})",
                       near=selection.coverage >= settings.min_coverage / 2)
    threshold = settings.min_confidence if settings.min_confidence is not None else gate.threshold
    p = gate.confidence(selection)
    return Verdict(p >= threshold, f"gate confidence {p:.2f} against a threshold of {threshold:.2f}",
                   near=p >= NEAREST_CONFIDENCE)
