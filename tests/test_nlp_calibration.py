"""Calibration: the fit, its floor, and the calibration error measure."""
import numpy as np

from nlp import calibration


def test_floor_keeps_every_probability_below_certainty():
    logits = np.array([[50.0, 0.0, -50.0], [0.0, 0.0, 0.0]])
    p = calibration.probabilities(logits, 1.0, calibration.EPS_MIN)
    assert np.allclose(p.sum(axis=1), 1)
    assert p.max() < 0.995                      # never printed as 1.00


def test_fit_softens_an_overconfident_model():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 600)
    logits = rng.normal(0, 1, (600, 3))
    right = rng.random(600) < 0.7               # right 70 % of the time, always at logit margin 8
    pred = np.where(right, gold, (gold + 1) % 3)
    logits[np.arange(600), pred] += 8
    t, eps = calibration.fit(logits, gold)
    assert t > 1.5
    top = calibration.probabilities(logits, t, eps).max(axis=1)
    assert abs(top.mean() - 0.7) < 0.08


def test_expected_calibration_error():
    assert calibration.expected_calibration_error([0.9] * 10, [True] * 9 + [False]) < 1e-9
    assert abs(calibration.expected_calibration_error([0.9] * 10, [True] * 5 + [False] * 5) - 0.4) < 1e-9
    assert calibration.expected_calibration_error([], []) == 0.0
