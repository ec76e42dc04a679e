"""Scores for explanation verdicts (no scikit-learn needed)."""
from __future__ import annotations

from nlp.calibration import expected_calibration_error
from nlp.features import AXES, LABELS

NOT_JUDGED = "unjudged"       # nlp.judge.NOT_JUDGED: a verdict that gave no label (counted wrong)
SHOWN_AS_CERTAIN = 0.995      # a probability that prints as 1.00


def f1(gold: list, pred: list, positive) -> float:
    tp = sum(1 for g, p in zip(gold, pred) if g == positive and p == positive)
    fp = sum(1 for g, p in zip(gold, pred) if g != positive and p == positive)
    fn = sum(1 for g, p in zip(gold, pred) if g == positive and p != positive)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(gold: list, pred: list, labels) -> float:
    present = [lab for lab in labels if lab in gold or lab in pred]
    return sum(f1(gold, pred, lab) for lab in present) / len(present) if present else 0.0


def confusion(gold: list, pred: list, labels=LABELS) -> dict[str, dict[str, int]]:
    table = {g: {p: 0 for p in (*labels, NOT_JUDGED)} for g in labels}
    for g, p in zip(gold, pred):
        table[g][p] += 1
    return table


def calibration_scores(gold: list, verdicts: list, axis: str) -> dict:
    """ECE of the top probability, how many wrong verdicts print their probability as 1.00, and
    how the unsure band (nlp.judge.UNSURE_BELOW) splits the verdicts: share unsure, accuracy of
    the sure and of the unsure ones."""
    top, ok, certain_wrong = [], [], 0
    sure_ok, unsure_ok = [], []
    for g, v in zip(gold, verdicts):
        proba = getattr(v, f"{axis}_proba")
        if not proba:
            continue                       # not judged: no probability to calibrate
        label = getattr(v, axis)
        top.append(proba[label])
        ok.append(label == g)
        certain_wrong += label != g and proba[label] >= SHOWN_AS_CERTAIN
        (unsure_ok if axis in v.unsure else sure_ok).append(label == g)
    return {"ece": expected_calibration_error(top, ok), "certain_wrong": certain_wrong,
            "unsure_share": len(unsure_ok) / len(top) if top else 0.0,
            "accuracy_sure": sum(sure_ok) / len(sure_ok) if sure_ok else 0.0,
            "accuracy_unsure": sum(unsure_ok) / len(unsure_ok) if unsure_ok else 0.0}


def score(rows: list[dict], verdicts: list) -> dict:
    """Per-axis accuracy / macro-F1 / confusion / absent F1, and flagged macro-F1 over both classes."""
    out = {"n": len(rows)}
    for axis in AXES:
        gold = [r[axis] for r in rows]
        pred = [getattr(v, axis) for v in verdicts]
        out[axis] = {
            "accuracy": sum(g == p for g, p in zip(gold, pred)) / len(rows) if rows else 0.0,
            "macro_f1": macro_f1(gold, pred, LABELS),
            "absent_f1": f1(gold, pred, "absent"),
            "confusion": confusion(gold, pred),
            **calibration_scores(gold, verdicts, axis),
        }
    gold_flag = [r["cause"] != "specific" or r["measure"] != "specific" for r in rows]
    pred_flag = [v.flagged for v in verdicts]
    out["flagged"] = {"macro_f1": macro_f1(gold_flag, pred_flag, (True, False)),
                      "f1_flagged": f1(gold_flag, pred_flag, True),
                      "f1_not_flagged": f1(gold_flag, pred_flag, False)}
    return out


def format_report(m: dict, title: str = "") -> str:
    lines = [f"{title} (n={m['n']})" if title else f"n={m['n']}"]
    for axis in AXES:
        a = m[axis]
        lines.append(f"{axis:8s} accuracy {a['accuracy']:.3f}  macro-F1 {a['macro_f1']:.3f}  "
                     f"absent-F1 {a['absent_f1']:.3f}  ECE {a['ece']:.3f}  "
                     f"wrong at p≥{SHOWN_AS_CERTAIN} {a['certain_wrong']}")
        lines.append(f"         unsure {a['unsure_share']:.1%} of verdicts; accuracy sure "
                     f"{a['accuracy_sure']:.3f}, unsure {a['accuracy_unsure']:.3f}")
        cols = LABELS + ((NOT_JUDGED,) if any(a["confusion"][g][NOT_JUDGED] for g in LABELS) else ())
        lines.append("         gold\\pred  " + "  ".join(f"{p:>8s}" for p in cols))
        for g in LABELS:
            lines.append(f"         {g:9s} " + "  ".join(f"{a['confusion'][g][p]:8d}" for p in cols))
    fl = m["flagged"]
    lines.append(f"flagged  macro-F1 {fl['macro_f1']:.3f}  (flagged F1 {fl['f1_flagged']:.3f}, "
                 f"not-flagged F1 {fl['f1_not_flagged']:.3f})")
    return "\n".join(lines)
