"""Reading real published forms, scored with ../shared/eval/forms_eval.py's own comparison.

The forms are read in this process (the scorer's `compare`/`compare_funds` are imported, so the
figures are the scorer's) and checked against issue 8's bars. The dev files are the ones whose
errors were read while the reader was built; the holdout (tests/real/split.toml) is only scored.
Skips when ../shared is absent.

Bars: difficulty ≤ 3, rows ≥ 97% exact, funds ≥ 95%, lost-point recall ≥ 0.95 (dev). On the
holdout and on difficulty 4–5 (one flattened line, columns printed one after another, digits
stripped) the figures of today are floors, so a change that loses ground fails: the issue's
bar there (80% of rows) is not reached, because those rows are reported as unreadable rather
than guessed.
"""
from __future__ import annotations

import importlib.util
import json
import tomllib

import pytest

from conftest import ROOT, SHARED
from forms.errors import FormError
from forms.read import read_forms

FORMS = SHARED / "real" / "forms"
SCORER = SHARED / "eval" / "forms_eval.py"
SPLIT = ROOT / "tests" / "real" / "split.toml"


def _scorer():
    if not SCORER.exists():
        pytest.skip("../shared is absent: real-form tests skipped")
    spec = importlib.util.spec_from_file_location("forms_eval", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _score(names: list[str], min_d: int = 1, max_d: int = 5) -> dict:
    fe = _scorer()
    t = dict(rows=0, exact=0, funds_ok=0, funds=0, expected_lost=0, found_lost=0, files=0)
    for name in names:
        expected = json.loads((FORMS / f"{name}.expected.json").read_text(encoding="utf-8"))
        if not min_d <= expected.get("reader_difficulty", 1) <= max_d:
            continue
        try:
            got = [f.to_dict() for f in read_forms(FORMS / f"{name}.txt")]
        except FormError:
            got = []
        rows, exact, _, _, exp_lost, got_lost, _ = fe.compare(expected["forms"], got)
        ok, n = fe.compare_funds(expected["forms"], got)
        t["files"] += 1
        t["rows"] += rows
        t["exact"] += exact
        t["funds_ok"] += ok
        t["funds"] += n
        t["expected_lost"] += len(exp_lost)
        t["found_lost"] += len(exp_lost & got_lost)
    t["row_rate"] = t["exact"] / t["rows"] if t["rows"] else 1.0
    t["funds_rate"] = t["funds_ok"] / t["funds"] if t["funds"] else 1.0
    t["lost_recall"] = t["found_lost"] / t["expected_lost"] if t["expected_lost"] else 1.0
    return t


def _files() -> tuple[list[str], list[str]]:
    if not FORMS.exists():
        pytest.skip("../shared is absent: real-form tests skipped")
    holdout = set(tomllib.loads(SPLIT.read_text(encoding="utf-8"))["holdout"])
    names = sorted(p.name.removesuffix(".expected.json") for p in FORMS.glob("*.expected.json"))
    return [n for n in names if n not in holdout], [n for n in names if n in holdout]


def test_dev_forms_of_difficulty_up_to_3_meet_the_bars():
    dev, _ = _files()
    t = _score(dev, max_d=3)
    assert t["files"] >= 5
    assert t["row_rate"] >= 0.97, t
    assert t["funds_rate"] >= 0.95, t
    assert t["lost_recall"] >= 0.95, t


def test_damaged_dev_forms_do_not_lose_ground():
    dev, _ = _files()
    t = _score(dev, min_d=4)
    assert t["row_rate"] >= 0.35, t
    assert t["lost_recall"] >= 0.8, t


def test_holdout_forms_do_not_lose_ground():
    _, holdout = _files()
    t = _score(holdout)
    assert t["row_rate"] >= 0.85, t
    assert t["funds_rate"] >= 0.80, t



@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_real_forms_rendered_read_as_their_text(fmt, tmp_path):
    """../shared/eval/rendered_eval.py's bar (≥ 99% rows and funds) on the quick formats: the
    same content as html and xlsx, read through their own readers (pdf and docx are slower; the
    scorer runs them)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = SHARED / "eval" / "rendered_eval.py"
    if not script.exists():
        pytest.skip("../shared is absent: real-form tests skipped")
    pytest.importorskip("openpyxl")
    cli = Path(sys.executable).with_name("pianchai")     # this environment's pianchai
    out = subprocess.run([sys.executable, str(script), str(FORMS), "--formats", fmt, "--quiet"], check=False,
                         capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={**os.environ, "PIANCHAI": str(cli) if cli.exists() else "pianchai"})
    line = next(x for x in out.stdout.splitlines() if x.startswith(f"fmt={fmt}"))
    figures = dict(part.split("=") for part in line.split() if "=" in part)
    assert float(figures["exact"].rstrip("%")) >= 99.0, line
    assert float(figures["funds"].rstrip("%")) >= 99.0, line
