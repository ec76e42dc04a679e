"""Scores for explanation verdicts (no scikit-learn needed)."""
from __future__ import annotations

from nlp.features import AXES, LABELS


def f1(gold: list, pred: list, positive) -> float:
    tp = sum(1 for g, p in zip(gold, pred) if g == positive and p == positive)
    fp = sum(1 for g, p in zip(gold, pred) if g != positive and p == positive)
    fn = sum(1 for g, p in zip(gold, pred) if g == positive and p != positive)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(gold: list, pred: list, labels) -> float:
    present = [lab for lab in labels if lab in gold or lab in pred]
    return sum(f1(gold, pred, lab) for lab in present) / len(present) if present else 0.0


def confusion(gold: list, pred: list, labels=LABELS) -> dict[str, dict[str, int]]:
    table = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred):
        table[g][p] += 1
    return table


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
                     f"absent-F1 {a['absent_f1']:.3f}")
        lines.append("         gold\\pred  " + "  ".join(f"{p:>8s}" for p in LABELS))
        for g in LABELS:
            lines.append(f"         {g:9s} " + "  ".join(f"{a['confusion'][g][p]:8d}" for p in LABELS))
    fl = m["flagged"]
    lines.append(f"flagged  macro-F1 {fl['macro_f1']:.3f}  (flagged F1 {fl['f1_flagged']:.3f}, "
                 f"not-flagged F1 {fl['f1_not_flagged']:.3f})")
    return "\n".join(lines)
