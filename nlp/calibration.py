"""Probabilities an author can trust: temperature scaling with a floor, and how to measure it.

A logistic regression trained on one team's texts is over-confident on another writer's. The
calibration is fitted on cross-validated scores (each writer's texts scored by a model trained
without that writer, nlp/train.py) and is two numbers per axis:
- a temperature T dividing the logits (T > 1 softens);
- a floor ε mixing in the uniform distribution, p = (1 − ε)·softmax(z/T) + ε/3, with ε ≥ EPS_MIN:
  no verdict of a classifier that is wrong one time in ten may claim certainty (1.00).
Both are chosen by log-loss on a fixed grid (deterministic; no optimiser). numpy only: the
run-time judge applies them.
"""
from __future__ import annotations

import numpy as np

EPS_MIN = 0.01                  # top probability ≤ 1 − 2·EPS_MIN/3 ≈ 0.993: never shown as 1.00
TEMPERATURES = np.round(np.geomspace(0.25, 8.0, 121), 4)
FLOORS = np.round(np.arange(EPS_MIN, 0.2001, 0.0025), 4)
ECE_BINS = 10


def probabilities(logits: np.ndarray, temperature: float, floor: float) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    return (1.0 - floor) * p + floor / logits.shape[1]


def fit(logits: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """(temperature, floor) minimising the log-loss of `gold` (class indices) on the grid."""
    best = (np.inf, 1.0, EPS_MIN)
    rows = np.arange(len(gold))
    for t in TEMPERATURES:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p_gold = e[rows, gold] / e.sum(axis=1)
        for eps in FLOORS:
            loss = -np.log((1.0 - eps) * p_gold + eps / logits.shape[1]).mean()
            if loss < best[0] - 1e-12:
                best = (loss, float(t), float(eps))
    return best[1], best[2]


def expected_calibration_error(top: list[float], correct: list[bool], bins: int = ECE_BINS) -> float:
    """Top-label ECE: Σ over equal-width confidence bins of (share of verdicts) × |accuracy −
    mean confidence|."""
    if not top:
        return 0.0
    top_a, ok = np.asarray(top, dtype=float), np.asarray(correct, dtype=float)
    which = np.minimum((top_a * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() / len(top_a) * abs(ok[inside].mean() - top_a[inside].mean())
    return float(total)
