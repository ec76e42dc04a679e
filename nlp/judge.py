"""Verdicts on explanations: labels per axis, calibrated probabilities, evidence and suggestions.

`load_judge()` returns the process-wide Judge over the shipped model (models/explanation.npz,
exported from models/explanation.skops). Passing a .skops path loads the scikit-learn model of
record through skops with an explicit trusted-type list instead (slower start, same verdicts).

Probabilities are calibrated on writers the model did not see (nlp/calibration.py). An axis whose
top probability is below UNSURE_BELOW is listed in `Verdict.unsure`: findings on it are info,
never warnings. A text that is not Chinese, or too short to read as anything, is not judged at all:
both labels are NOT_JUDGED and `evidence["not_judged"]` says why.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nlp.features import AXES, HAND_FEATURES, prepare

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = MODELS_DIR / "explanation.npz"
SKOPS_MODEL = MODELS_DIR / "explanation.skops"

CAUSE_ABSENT = "补写偏差原因：写明哪个环节、什么因素导致未完成（事件、时间、数量）"
CAUSE_GENERIC = "写明哪个环节、什么因素导致未完成，而不是笼统归因"
CAUSE_RESTATED = "原因只复述了偏差本身（实际值与目标的差距），写明是什么因素造成了这一结果"
MEASURE_ABSENT = "补写改进措施：写明做什么、谁负责、何时完成、改到多少"
MEASURE_GENERIC = "措施写明做什么、谁负责、何时完成、改到多少"

# Calibrated top probability below this: the verdict on that axis is "unsure" (findings are info).
# models/MODEL_CARD.md gives, from cross-validation, the share of verdicts in the band and the
# accuracy inside and outside it (near 0.95 outside, near a coin toss inside).
UNSURE_BELOW = 0.75
NOT_JUDGED = "unjudged"
_ONLY_RESTATE = HAND_FEATURES["cause"].index("only_restate")


@dataclass
class Verdict:
    cause: str            # specific | generic | absent, or NOT_JUDGED
    measure: str
    cause_proba: dict[str, float]
    measure_proba: dict[str, float]
    flagged: bool         # either axis judged and not specific
    evidence: dict = field(default_factory=dict)
    unsure: list[str] = field(default_factory=list)    # axes in the unsure band

    def to_dict(self) -> dict:
        return asdict(self)


def batch_rows(classes, proba) -> tuple:
    """(classes, each row's probabilities rounded to 4 places, each row's best class index) of a
    probability matrix: the rounding and the argmax done once for a whole batch. `proba` may be
    lists of floats (the runtime's few-text path): rounded as numpy rounds (×10⁴, to even, ÷10⁴)."""
    if isinstance(proba, list):
        return (tuple(classes), [[round(x * 10000.0) / 10000.0 for x in row] for row in proba],
                [row.index(max(row)) for row in proba])
    return tuple(classes), proba.round(4).tolist(), proba.argmax(axis=1).tolist()


def make_verdict(rows: dict[str, tuple], k: int, p=None) -> Verdict:
    """The verdict of row `k` of per-axis batch_rows(); evidence from the Prepared `p` if given."""
    (c_classes, c_rows, c_best), (m_classes, m_rows, m_best) = rows["cause"], rows["measure"]
    cause, measure = c_classes[c_best[k]], m_classes[m_best[k]]
    c_proba, m_proba = c_rows[k], m_rows[k]
    unsure = [axis for axis, proba, best in (("cause", c_proba, c_best[k]), ("measure", m_proba, m_best[k]))
              if proba[best] < UNSURE_BELOW]
    labels = {"cause": cause, "measure": measure}
    return Verdict(cause, measure, dict(zip(c_classes, c_proba)), dict(zip(m_classes, m_proba)),
                   cause != "specific" or measure != "specific",
                   _evidence(p, labels) if p is not None else {}, unsure)


def _empty_verdict() -> Verdict:
    absent = {"specific": 0.0, "generic": 0.0, "absent": 1.0}
    return Verdict("absent", "absent", dict(absent), dict(absent), True,
                   {"cause_clauses": [], "measure_clauses": [], "vague": [],
                    "suggestions": [CAUSE_ABSENT, MEASURE_ABSENT]})


def _not_judged_verdict(why: str) -> Verdict:
    return Verdict(NOT_JUDGED, NOT_JUDGED, {}, {}, False,
                   {"cause_clauses": [], "measure_clauses": [], "vague": [], "suggestions": [],
                    "not_judged": why})


def _span(p, a: int, b: int) -> tuple[int, int]:
    """Offsets in the normalised text → offsets in the original text."""
    return p.offsets[a], p.offsets[b - 1] + 1


def _clauses(p) -> dict[str, list[str]]:
    """Per role, the original-text spans of consecutive pieces with that role inside one clause."""
    spans: dict[str, list[list[int]]] = {"cause": [], "measure": []}
    prev_role, prev_clause = None, -1
    for a, b, r, ci in p.pieces:
        if r in spans:
            if r == prev_role and ci == prev_clause:
                spans[r][-1][1] = b
            else:
                spans[r].append([a, b])
        prev_role, prev_clause = r, ci
    offsets, text = p.offsets, p.text
    return {r: [text[offsets[a]:offsets[b - 1] + 1] for a, b in found] for r, found in spans.items()}


def _role_at(p, pos: int) -> str | None:
    for a, b, r, _ in p.pieces:
        if a <= pos < b:
            return r
    return None


def _evidence(p, labels: dict[str, str]) -> dict:
    vague = []
    both_specific = labels["cause"] == "specific" and labels["measure"] == "specific"
    for h in () if both_specific else p.hits:
        if h.entry is None:
            continue
        role = _role_at(p, h.start)
        axis = role if role in AXES else h.entry.axis
        if labels[axis] == "specific":
            continue                       # precision first: no nagging about a good side
        start, end = _span(p, h.start, h.end)
        vague.append({"phrase": p.text[start:end], "start": start, "end": end, "axis": axis,
                      "reason": h.entry.reason, "suggestion": h.entry.suggestion})
    suggestions = []
    if labels["cause"] == "absent":
        suggestions.append(CAUSE_ABSENT)
    elif labels["cause"] == "generic":
        own = [v["suggestion"] for v in vague if v["axis"] == "cause"]
        if own:
            suggestions.extend(own)
        elif p.hand["cause"][_ONLY_RESTATE]:
            suggestions.append(CAUSE_RESTATED)
        else:
            suggestions.append(CAUSE_GENERIC)
    if labels["measure"] == "absent":
        suggestions.append(MEASURE_ABSENT)
    elif labels["measure"] == "generic":
        suggestions.extend([v["suggestion"] for v in vague if v["axis"] == "measure"] or [MEASURE_GENERIC])
    clauses = _clauses(p) if labels["cause"] != "absent" or labels["measure"] != "absent" else {}
    return {"cause_clauses": clauses["cause"] if labels["cause"] != "absent" else [],
            "measure_clauses": clauses["measure"] if labels["measure"] != "absent" else [],
            "vague": vague,
            "suggestions": list(dict.fromkeys(suggestions))}


class Judge:
    """Judges explanations with a model; thread-safe (no state changes after construction)."""

    def __init__(self, model):
        self.model = model

    def judge(self, text, indicator="", target="", actual="", weight=None, score=None) -> Verdict:
        return self.judge_many([{"text": text, "indicator": indicator, "target": target,
                                 "actual": actual, "weight": weight, "score": score}])[0]

    def judge_many(self, items: list[dict]) -> list[Verdict]:
        # A batch builds many small containers that refer to nothing cyclic (prepared texts,
        # verdicts); the cyclic collector's passes over them find nothing and cost ≈ 15 % of the
        # time, so it pauses for the batch.
        with _collector_paused():
            return self._judge_many(items)

    def _judge_many(self, items: list[dict]) -> list[Verdict]:
        verdicts: list[Verdict | None] = [None] * len(items)
        # one prepare() and one model row per distinct (text, indicator, target, actual): forms
        # repeat stock texts ("无", "已完成", copied paragraphs), and the verdict depends on nothing else
        first: dict[tuple, int] = {}          # key → index into prepared
        slot = []                             # (item index, index into prepared)
        prepared = []
        for i, item in enumerate(items):
            text = item.get("text") or ""
            if not text.strip():
                verdicts[i] = _empty_verdict()
                continue
            key = (text, str(item.get("indicator") or ""), str(item.get("target") or ""),
                   str(item.get("actual") or ""))
            k = first.get(key)
            if k is None:
                p = prepare(*key)
                if not p.norm:
                    verdicts[i] = _empty_verdict()
                    continue
                if p.not_judged:
                    verdicts[i] = _not_judged_verdict(p.not_judged)
                    continue
                k = first[key] = len(prepared)
                prepared.append(p)
            slot.append((i, k))
        if prepared:
            rows = {axis: batch_rows(classes, proba)
                    for axis, (classes, proba) in self.model.predict_proba(prepared).items()}
            done: list[Verdict | None] = [None] * len(prepared)
            for i, k in slot:
                if done[k] is not None:
                    verdicts[i] = _copy(done[k])   # callers may mutate a verdict; never share one
                    continue
                verdicts[i] = done[k] = make_verdict(rows, k, prepared[k])
        return verdicts


@contextmanager
def _collector_paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _copy(v: Verdict) -> Verdict:
    """A verdict equal to `v` sharing no mutable container with it (cheaper than deepcopy)."""
    ev = v.evidence
    return Verdict(v.cause, v.measure, dict(v.cause_proba), dict(v.measure_proba), v.flagged,
                   {"cause_clauses": list(ev["cause_clauses"]), "measure_clauses": list(ev["measure_clauses"]),
                    "vague": [dict(x) for x in ev["vague"]], "suggestions": list(ev["suggestions"])},
                   list(v.unsure))


class SklearnModel:
    """The skops model of record ({"models": Pipelines, "calibration": (temperature, floor) per
    axis}), with the same predict_proba shape as RuntimeModel."""

    def __init__(self, saved: dict):
        self.models = saved["models"]
        self.calibration = saved["calibration"]

    def predict_proba(self, prepared):
        from nlp.calibration import probabilities

        return {axis: (tuple(m.classes_), probabilities(m.decision_function(prepared), *self.calibration[axis]))
                for axis, m in self.models.items()}


def load_skops(path: Path) -> dict:
    """Load a .skops model, trusting only sklearn's own types and the names in TRUSTED_TYPES."""
    import skops.io as sio

    from nlp.model import TRUSTED_TYPES

    untrusted = sio.get_untrusted_types(file=path)
    unknown = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unknown:
        raise ValueError(f"{path}: refusing to load untrusted types: {', '.join(unknown)}")
    return sio.load(path, trusted=TRUSTED_TYPES)


_cache: dict[str, Judge] = {}
_lock = threading.Lock()


def load_judge(path=None) -> Judge:
    """The Judge over `path` (default: the shipped model), built once per process and path."""
    if path:
        path = Path(path)
    elif DEFAULT_MODEL.exists() or not SKOPS_MODEL.exists():
        path = DEFAULT_MODEL
    else:
        path = SKOPS_MODEL      # an install that left out the .npz export: slower start, same verdicts
    key = str(path.resolve())
    with _lock:
        if key not in _cache:
            if path.suffix == ".skops":
                _cache[key] = Judge(SklearnModel(load_skops(path)))
            else:
                from nlp.runtime import RuntimeModel
                if not path.exists():
                    raise FileNotFoundError(f"{path}: no model; run `pianchai train`")
                _cache[key] = Judge(RuntimeModel(path))
        return _cache[key]
